#include "command-service/idempotency.hpp"

namespace cc::command {

void IdempotencyIndex::apply(const events::Envelope& event, const eventlog::Position& position) {
    if (!event.actor || !event.request.idempotency_key) return;
    const auto view = [](const std::optional<std::string>& text) {
        return text ? std::optional<std::string_view>(*text) : std::nullopt;
    };
    apply(Answered{event.actor, event.tenant_id, event.aggregate_id, event.aggregate_version,
                   event.event_type, view(event.request.idempotency_key),
                   view(event.request.request_id), view(event.request.request_hash)},
          position);
}

void IdempotencyIndex::apply(const Answered& event, const eventlog::Position& position) {
    if (!event.actor || !event.idempotency_key) return;
    auto [it, inserted] =
        entries_.try_emplace(Key{*event.actor, scope_of(event.tenant, event.aggregate_id),
                                 std::string(*event.idempotency_key)});
    auto& entry = it->second;
    // A command's events share its request id; another command's events
    // under the same key cannot exist (the first answer is replayed), but if
    // they did, the first answer would stand.
    if (!inserted && entry.request_id != event.request_id) return;
    if (event.request_id) {
        entry.request_id = std::string(*event.request_id);
    } else {
        entry.request_id.reset();
    }
    entry.request_hash = std::string(event.request_hash.value_or(""));
    entry.outcome.id = event.aggregate_id;
    entry.outcome.version = event.aggregate_version;
    entry.outcome.position = position;
    entry.outcome.event_types.emplace_back(event.event_type);
}

TenantId IdempotencyIndex::scope_of(const events::Envelope& event) {
    return scope_of(event.tenant_id, event.aggregate_id);
}

TenantId IdempotencyIndex::scope_of(const TenantId& tenant, const Uuid& aggregate_id) {
    const bool platform_level = tenant == kPlatformTenant || tenant.uuid() == aggregate_id;
    return platform_level ? kPlatformTenant : tenant;
}

const IdempotencyIndex::Entry* IdempotencyIndex::find(const UserId& caller, const TenantId& scope,
                                                      const std::string& key) const {
    auto it = entries_.find(Key{caller, scope, key});
    return it == entries_.end() ? nullptr : &it->second;
}

void IdempotencyIndex::save(snapshot::Out& out) const {
    out.fixed(static_cast<std::uint64_t>(entries_.size()));
    for (const auto& [key, entry] : entries_) {
        out.uuid(key.caller.uuid());
        out.uuid(key.scope.uuid());
        out.text(key.key);
        out.optional_text(entry.request_id);
        out.text(entry.request_hash);
        const auto& outcome = entry.outcome;
        out.uuid(outcome.id);
        out.fixed(outcome.version);
        out.fixed(static_cast<std::uint8_t>(outcome.position.has_value()));
        if (outcome.position) {
            out.fixed(static_cast<std::int32_t>(outcome.position->partition));
            out.fixed(outcome.position->offset);
        }
        out.fixed(static_cast<std::uint32_t>(outcome.event_types.size()));
        for (const auto& type : outcome.event_types) out.text(type);
    }
}

bool IdempotencyIndex::load(snapshot::In& in) {
    entries_.clear();
    const auto count = in.count(16 + 16 + 4 + 1 + 4 + 16 + 8 + 1 + 4);
    for (std::uint64_t i = 0; i < count && in.ok(); ++i) {
        Key key{UserId(in.uuid()), TenantId(in.uuid()), in.text()};
        Entry entry;
        entry.request_id = in.optional_text();
        entry.request_hash = in.text();
        entry.outcome.id = in.uuid();
        entry.outcome.version = in.fixed<std::int64_t>();
        if (in.fixed<std::uint8_t>() != 0) {
            const auto partition = in.fixed<std::int32_t>();
            entry.outcome.position = eventlog::Position{partition, in.fixed<std::int64_t>()};
        }
        const auto types = in.fixed<std::uint32_t>();
        for (std::uint32_t t = 0; t < types && in.ok(); ++t) {
            entry.outcome.event_types.push_back(in.text());
        }
        entries_.emplace_hint(entries_.end(), std::move(key), std::move(entry));
    }
    if (!in.ok()) entries_.clear();
    return in.ok();
}

}  // namespace cc::command
