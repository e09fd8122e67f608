#pragma once
// Events a projection parked (dead_letters), for the operator: list them,
// show one, and retry one after an upgrade through the projector's own
// projection code, in one transaction that also marks it resolved, so a
// retried event is applied exactly once or not at all.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "platform/core/result.hpp"

namespace cc::projector {

struct DeadLetter {
    std::int64_t id = 0;
    std::string projection;
    int partition = 0;
    std::int64_t offset = 0;
    std::optional<std::string> event_id;
    std::optional<std::string> event_type;
    std::string reason;
    std::string value;  // the record as the log holds it
    std::string parked_at;
    std::optional<std::string> resolved_at;
};

// In log order (partition, offset); unresolved only unless `resolved_too`.
std::vector<DeadLetter> list_dead_letters(pqxx::connection& connection,
                                          const std::string& projection, bool resolved_too);
std::optional<DeadLetter> find_dead_letter(pqxx::connection& connection, std::int64_t id);
std::int64_t unresolved_dead_letters(pqxx::connection& connection, const std::string& projection);

// Applies the parked event as the projector would now, and marks it
// resolved, in one transaction. An event that still cannot be applied
// (unreadable, unknown to this build, a constraint it still breaks), one
// already resolved, and one older than what the projection already holds
// of its entity (applying it would move the row back in time: rebuild the
// projection instead) are refused with the reason, and stay parked.
Status retry_dead_letter(pqxx::connection& connection, std::int64_t id);

}  // namespace cc::projector
