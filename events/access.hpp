#pragma once
// Access facts (DESIGN.md "Security"): who read which patient-identifiable
// records, or was refused, when, from where and with what query. They are
// events of their own on their own stream (LogConfig::access_stream), not
// in the domain log: they have no invariants, so any query-service
// instance appends them without a single writer. The projector turns each
// into one audit_logs row (action view, search or denied). Pure: payload
// schemas in events/schemas/, the channel in events/asyncapi.yaml.
#include <boost/json/object.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "events/envelope.hpp"
#include "platform/core/result.hpp"
#include "platform/eventlog/event_log.hpp"

namespace cc::events::access {

inline constexpr std::string_view kAggregateType = "access";
// audit_chain.stream of the rows each stream makes (issue 11's shared shape).
inline constexpr std::string_view kAccessStream = "access";
inline constexpr std::string_view kChangesStream = "changes";

enum class Kind { view, search, denied };

struct AccessType {
    Kind kind;
    std::string_view event_type;
    std::string_view action;  // audit_logs.action
    std::string_view summary;
};

std::span<const AccessType> types();
const AccessType* find_type(std::string_view event_type);
const AccessType& type_of(Kind kind);

// The audit stream an event's row belongs to: "access" for access facts,
// "changes" for the domain log's events.
std::string_view stream_of(const Envelope& event);

// What one answered (or refused) request reveals, and to whom.
struct Fact {
    Kind kind = Kind::view;
    // Whose audit trail records it: the tenant that owns what was read or
    // probed (the platform tenant for a refusal that names no tenant).
    TenantId tenant;
    std::optional<UserId> user;  // none when the caller was not authenticated
    // The described aggregate read ("patient"), or "request" for a refusal
    // outside any described aggregate.
    std::string entity_type;
    std::vector<std::string> entity_ids;  // the ids answered, or the id asked for
    std::string method;
    std::string path;
    std::string query;  // the query string as sent, minus anything that looks like a credential
    std::string route;  // the route's pattern ("" when no route matched)
    int status = 200;
    std::optional<std::string> reason;  // the problem type slug of a refusal
    // The tenant the path named, when the fact is filed under another one
    // (a probe of another tenant's id).
    std::optional<std::string> requested_tenant_id;
    RequestMetadata request;
    Timestamp at;
};

// A new event (its own aggregate: aggregate_id is the event id, version 1).
Envelope to_envelope(const Fact& fact);

// The fact as the access stream holds it: a new event, keyed by its
// tenant like the domain log (a tenant's facts are in one partition, in the
// order they were recorded), with the log's headers.
eventlog::OutgoingRecord to_record(const Fact& fact);

// The payload as the projector reads it back.
struct Payload {
    std::string entity_type;
    std::vector<std::string> entity_ids;
    boost::json::object details;  // every payload key, for audit_logs.details
};
Result<Payload> read_payload(const Envelope& event);

// `query` without parameters whose names suggest a credential
// (access_token, id_token, ...): a token never reaches the audit trail.
std::string without_credentials(std::string_view query);

}  // namespace cc::events::access
