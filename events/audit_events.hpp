#pragma once
// Events no aggregate's lifecycle names: the command service records them on
// its own (payload schemas: events/schemas/<Type>.v1.schema.json).
#include <string_view>

namespace cc::events::audit {

// A chain of the audit trail (audit_chain) had this head when the command
// service read it: published to the log from time to time, so that a trail
// rewritten in the database alone no longer matches the log. Payload:
// {"stream", "seq", "row_hash"}; the envelope's tenant_id is the chain's
// tenant, its aggregate a new id per head (each head is a fact of its own,
// at aggregate_version 1), its actor null.
inline constexpr std::string_view kChainHeadRecorded = "AuditChainHeadRecorded";
inline constexpr std::string_view kChainAggregate = "audit_chain";

}  // namespace cc::events::audit
