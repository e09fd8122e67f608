#pragma once
// A decider's pending event as the envelope the command bus would append
// (without gtest: the benchmarks use it too).
#include "command-service/domain/decision.hpp"
#include "events/catalogue.hpp"
#include "events/envelope.hpp"

#include <string_view>

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

// An event no decider here makes (the identity core's, a newer producer's),
// wrapped the same way.
inline events::Envelope envelope_of(std::string_view type, std::string_view aggregate,
                                    const Uuid& id, const TenantId& tenant, std::int64_t version,
                                    boost::json::object payload) {
    return envelope_of(domain::PendingEvent{std::string(type), std::string(aggregate), id, version,
                                            tenant, std::move(payload)});
}

}  // namespace cc::testing
