#pragma once
// Deciders' pending events as the envelopes the command bus would append,
// folded straight into a write model: unit tests of deciders without I/O.
// Every event is also held to the published JSON Schemas on the way, so a
// decider cannot drift from what consumers of the log are promised.
#include <gtest/gtest.h>

#include <source_location>
#include <utility>

#include "command-service/write_model.hpp"
#include "events/catalogue.hpp"
#include "tests/support/envelope_of.hpp"
#include "tests/support/event_contract.hpp"

namespace cc::testing {

// One test failure at `where` for each event of `decision` that breaks the
// event schemas, listing every violation.
inline void expect_events_match_schemas(
    const domain::Decision& decision,
    std::source_location where = std::source_location::current()) {
    for (const auto& pending : decision.events) {
        const auto violations = event_contract_violations(envelope_of(pending));
        if (violations.empty()) continue;
        std::string message = "event breaks its schema:";
        for (const auto& violation : violations) message += "\n  " + violation;
        ADD_FAILURE_AT(where.file_name(), static_cast<int>(where.line())) << message;
    }
}

// For a decision a test inspects without folding it: its events are checked
// all the same.
inline Result<domain::Decision> checked(
    Result<domain::Decision> decision,
    std::source_location where = std::source_location::current()) {
    if (decision.ok()) expect_events_match_schemas(*decision, where);
    return decision;
}

inline void fold(command::WriteModel& model, const domain::Decision& decision,
                 std::source_location where = std::source_location::current()) {
    static std::int64_t offset = 0;
    expect_events_match_schemas(decision, where);
    for (const auto& pending : decision.events) {
        model.apply(envelope_of(pending), eventlog::Position{0, offset++});
    }
}

}  // namespace cc::testing
