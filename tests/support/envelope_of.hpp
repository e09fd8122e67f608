#pragma once
// A decider's pending event as the envelope the command bus would append
// (without gtest: the benchmarks use it too).
#include "command-service/domain/decision.hpp"
#include "events/catalogue.hpp"
#include "events/envelope.hpp"

namespace cc::testing {

inline events::Envelope envelope_of(const domain::PendingEvent& pending) {
    events::Envelope e;
    e.event_id = EventId::generate();
    e.event_type = pending.event_type;
    if (const auto* info = events::find_event_type(pending.event_type)) {
        e.schema_version = info->schema_version;
    }
    e.tenant_id = pending.tenant_id;
    e.aggregate_type = pending.aggregate_type;
    e.aggregate_id = pending.aggregate_id;
    e.aggregate_version = pending.aggregate_version;
    e.occurred_at = Timestamp::now();
    e.payload = pending.payload;
    return e;
}

}  // namespace cc::testing
