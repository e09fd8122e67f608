#include "query-service/history.hpp"

#include <boost/json.hpp>

#include "events/access.hpp"
#include "platform/core/json.hpp"

namespace cc::query {
namespace {

std::string_view step_of(const model::Aggregate& a, std::string_view event_type) {
    if (event_type == a.created) return "create";
    if (event_type == a.updated) return "update";
    if (event_type == a.deleted) return "delete";
    const auto* action = a.action_for_event(event_type);
    return action != nullptr ? action->name : event_type;
}

}  // namespace

pg::Statement history_statement(const model::Aggregate& a, const std::string& tenant_id,
                                const std::string& id) {
    // An item its path names by a reference (a membership by its user) is
    // found through its row, within the tenant.
    const auto* named_by = a.put_key.empty() ? a.field(a.put_by) : nullptr;
    const std::string item = named_by == nullptr
                                 ? "a.entity_id = $3::uuid"
                                 : "a.entity_id IN (SELECT r.id FROM " + std::string(a.table) +
                                       " r WHERE r.tenant_id = $1::uuid AND r." +
                                       std::string(named_by->column_name()) + " = $3::uuid)";
    // The item's versions only: who viewed it (or was refused) is on the
    // same trail under the access actions, and is no version.
    std::string access_actions;
    for (const auto& type : events::access::types()) {
        access_actions +=
            std::string(access_actions.empty() ? "'" : ", '") + std::string(type.action) + "'";
    }
    pg::Statement s;
    s.sql =
        "SELECT a.user_id::text, cc_rfc3339(a.created_at), a.details::text FROM audit_logs a "
        "WHERE a.tenant_id = $1::uuid AND a.entity_type = $2 AND " +
        item + " AND a.action NOT IN (" + access_actions +
        ") ORDER BY (a.details ->> 'aggregate_version')::bigint, a.created_at, a.id";
    s.params = {tenant_id, std::string(a.name), id};
    return s;
}

Result<std::string> history_body(const model::Aggregate& a, const std::vector<AuditRow>& rows,
                                 std::string_view named_by) {
    boost::json::object values;
    for (const auto& field : a.fields) values[field.name] = nullptr;
    // The reference a path names the item by is in no event's changes.
    if (!a.put_by.empty() && !named_by.empty()) values[a.put_by] = named_by;
    boost::json::array items;
    for (const auto& row : rows) {
        auto details = json::parse_object(row.details);
        if (!details) return std::move(details).error();
        const auto event_type = json::string_at(*details, "event_type").value_or("");
        boost::json::value reason = nullptr;
        // What this version changed, each field's value before and after:
        // the audit row's own record, so nothing is recomputed here.
        boost::json::object changed;
        if (const auto* changes = details->if_contains("changes");
            changes != nullptr && changes->is_object()) {
            for (const auto& [key, change] : changes->as_object()) {
                const auto* next =
                    change.is_object() ? change.as_object().if_contains("new") : nullptr;
                if (next == nullptr) continue;
                const auto* old = change.as_object().if_contains("old");
                changed[key] =
                    boost::json::object{{"old", old != nullptr ? *old : nullptr}, {"new", *next}};
                if (key == "reason") reason = *next;
                if (a.field(key) != nullptr) values[key] = *next;
            }
        }
        boost::json::value version = nullptr;
        if (const auto* v = details->if_contains("aggregate_version")) version = *v;
        items.push_back(boost::json::object{
            {"version", version},
            {"event_type", event_type},
            {"step", step_of(a, event_type)},
            {"recorded_by", row.user_id ? boost::json::value(*row.user_id) : nullptr},
            {"recorded_at", row.recorded_at},
            {"reason", reason},
            {"changes", std::move(changed)},
            {"values", values},
        });
    }
    return boost::json::serialize(boost::json::object{{"items", std::move(items)}});
}

}  // namespace cc::query
