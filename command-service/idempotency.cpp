#include "command-service/idempotency.hpp"

namespace cc::command {

void IdempotencyIndex::apply(const events::Envelope& event, const eventlog::Position& position) {
    if (!event.actor || !event.request.idempotency_key) return;
    auto [it, inserted] =
        entries_.try_emplace(Key{*event.actor, scope_of(event), *event.request.idempotency_key});
    auto& entry = it->second;
    // A command's events share its request id; another command's events
    // under the same key cannot exist (the first answer is replayed), but if
    // they did, the first answer would stand.
    if (!inserted && entry.request_id != event.request.request_id) return;
    entry.request_id = event.request.request_id;
    entry.request_hash = event.request.request_hash.value_or("");
    entry.outcome.id = event.aggregate_id;
    entry.outcome.version = event.aggregate_version;
    entry.outcome.position = position;
    entry.outcome.event_types.push_back(event.event_type);
}

TenantId IdempotencyIndex::scope_of(const events::Envelope& event) {
    const bool platform_level =
        event.tenant_id == kPlatformTenant || event.tenant_id.uuid() == event.aggregate_id;
    return platform_level ? kPlatformTenant : event.tenant_id;
}

const IdempotencyIndex::Entry* IdempotencyIndex::find(const UserId& caller, const TenantId& scope,
                                                      const std::string& key) const {
    auto it = entries_.find(Key{caller, scope, key});
    return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace cc::command
