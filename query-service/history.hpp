#pragma once
// An item's versions, from the audit trail the projector writes: one row
// per event, in the same transaction as the row it changed, so the history
// and the item never disagree. Each version is the item as that event left
// it, with who recorded it, when, by which step and why. Pure: no libpqxx.
#include <optional>
#include <string>
#include <vector>

#include "model/description.hpp"
#include "platform/core/result.hpp"
#include "platform/pg/statement.hpp"

namespace cc::query {

// The audit rows of one item of the tenant, oldest version first: user_id,
// created_at (RFC 3339), details (JSON text).
pg::Statement history_statement(const model::Aggregate& aggregate, const std::string& tenant_id,
                                const std::string& id);

struct AuditRow {
    std::optional<std::string> user_id;
    std::string recorded_at;
    std::string details;
};

// {"items": [{"version", "event_type", "step", "recorded_by", "recorded_at",
// "reason", "changes", "values"}, ...]}: changes is what the version changed
// ({field: {"old", "new"}}), values the fields as it left them; an error for
// details that are not JSON.
Result<std::string> history_body(const model::Aggregate& aggregate,
                                 const std::vector<AuditRow>& rows);

}  // namespace cc::query
