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
// created_at (RFC 3339), details (JSON text). `id` is what the item's path
// names: its id, or for an aggregate put by a reference (a membership) that
// reference's value.
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
// `named_by`: the value of the reference the path names the item by (a
// membership's user), for an aggregate put by one.
Result<std::string> history_body(const model::Aggregate& aggregate,
                                 const std::vector<AuditRow>& rows, std::string_view named_by = {});

}  // namespace cc::query
