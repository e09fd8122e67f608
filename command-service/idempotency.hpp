#pragma once
// Idempotency-Key: a retried command returns the original answer and appends
// nothing. The index is folded from the log (the key and a hash of the
// request travel in every envelope), so it survives restarts with no store
// of its own.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "command-service/snapshot_codec.hpp"
#include "events/envelope.hpp"
#include "platform/core/uuid.hpp"
#include "platform/eventlog/event_log.hpp"

namespace cc::command {

struct CommandOutcome {
    Uuid id;
    std::int64_t version = 0;
    std::optional<eventlog::Position> position;  // empty when nothing was appended
    std::vector<std::string> event_types;
    bool replayed = false;  // answered from the idempotency index
};

// What the index reads of an event: read from an envelope, or straight from
// the log's text by the start-up fold.
struct Answered {
    std::optional<UserId> actor;
    TenantId tenant;
    Uuid aggregate_id;
    std::int64_t aggregate_version = 0;
    std::string_view event_type;
    std::optional<std::string_view> idempotency_key;
    std::optional<std::string_view> request_id;
    std::optional<std::string_view> request_hash;
};

class IdempotencyIndex {
  public:
    // Records the outcome an event belongs to; a command's later events
    // overwrite its earlier ones, so the entry ends as the command's answer.
    void apply(const events::Envelope& event, const eventlog::Position& position);
    void apply(const Answered& event, const eventlog::Position& position);

    struct Entry {
        std::optional<std::string> request_id;
        std::string request_hash;
        CommandOutcome outcome;
    };
    // Keys are scoped to the caller and the tenant: another caller's key, or
    // the same key in another tenant, never matches. Platform-level commands
    // (tenants themselves, users) share the platform scope.
    const Entry* find(const UserId& caller, const TenantId& scope, const std::string& key) const;

    // The scope an event's command had: its tenant, or the platform for an
    // aggregate filed under the platform or under itself (a tenant's own events).
    static TenantId scope_of(const events::Envelope& event);
    static TenantId scope_of(const TenantId& tenant, const Uuid& aggregate_id);

    std::size_t size() const { return entries_.size(); }
    // For a snapshot; load() replaces the index (empty when it fails).
    void save(snapshot::Out& out) const;
    bool load(snapshot::In& in);

  private:
    struct Key {
        UserId caller;
        TenantId scope;
        std::string key;
        auto operator<=>(const Key&) const = default;
    };
    std::map<Key, Entry> entries_;
};

}  // namespace cc::command
