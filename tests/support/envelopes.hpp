#pragma once
// Deciders' pending events as the envelopes the command bus would append,
// folded straight into a write model: unit tests of deciders without I/O.
#include "command-service/write_model.hpp"

namespace cc::testing {

inline void fold(command::WriteModel& model, const domain::Decision& decision) {
    static std::int64_t offset = 0;
    for (const auto& pending : decision.events) {
        events::Envelope e;
        e.event_id = EventId::generate();
        e.event_type = pending.event_type;
        e.tenant_id = pending.tenant_id;
        e.aggregate_type = pending.aggregate_type;
        e.aggregate_id = pending.aggregate_id;
        e.aggregate_version = pending.aggregate_version;
        e.occurred_at = Timestamp::now();
        e.payload = pending.payload;
        model.apply(e, eventlog::Position{0, offset++});
    }
}

}  // namespace cc::testing
