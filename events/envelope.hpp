#pragma once
// The one envelope every event travels in (DESIGN.md "Events"). Its JSON form
// is the published contract for analytics consumers: see
// events/schemas/envelope.schema.json and events/asyncapi.yaml.
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "platform/core/result.hpp"
#include "platform/core/time.hpp"
#include "platform/core/uuid.hpp"

namespace cc::events {

// Who asked, from where: lands in audit_logs.ip_address / user_agent.
struct RequestMetadata {
    std::optional<std::string> ip;
    std::optional<std::string> user_agent;
    std::optional<std::string> request_id;
    std::optional<std::string> idempotency_key;
    // SHA-256 of method, path and body when an idempotency key was sent: a
    // reused key with another request is refused, also after a restart.
    std::optional<std::string> request_hash;
    bool operator==(const RequestMetadata&) const = default;
};

struct Envelope {
    EventId event_id;
    std::string event_type;  // past tense, e.g. "TenantCreated"
    int schema_version = 1;
    TenantId tenant_id;          // kPlatformTenant for events outside any customer tenant
    std::string aggregate_type;  // "tenant", "user", "membership"
    Uuid aggregate_id;
    std::int64_t aggregate_version = 0;  // 1, 2, 3... per aggregate
    Timestamp occurred_at;
    std::optional<UserId> actor;
    RequestMetadata request;
    std::optional<EventId> causation_id;
    std::optional<Uuid> correlation_id;
    boost::json::object payload;

    bool operator==(const Envelope&) const = default;
};

std::string serialize(const Envelope& envelope);
// Parses with simdjson and checks every envelope field's presence and type;
// the payload itself is checked by the consumer that understands its type.
Result<Envelope> parse_envelope(std::string_view text);

// Record headers carried next to the body on the log, so a consumer can filter
// by type or tenant without parsing JSON.
inline constexpr std::string_view kHeaderEventType = "event_type";
inline constexpr std::string_view kHeaderTenantId = "tenant_id";
inline constexpr std::string_view kHeaderSchemaVersion = "schema_version";

}  // namespace cc::events
