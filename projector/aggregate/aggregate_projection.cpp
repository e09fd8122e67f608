#include "projector/aggregate/aggregate_projection.hpp"

#include <boost/json.hpp>

#include <map>
#include <vector>

#include "model/aggregates/identity.hpp"
#include "model/description.hpp"
#include "projector/projection/entity.hpp"

namespace cc::projection::aggregate {
namespace {

// The table a reference field's value names a row of.
std::string_view referenced_table(const model::Field& field) {
    if (field.references == model::kTenantMember) return model::kUser.table;
    return model::find_aggregate(field.references)->table;
}

// A table's writable columns, from its description: its fields, and
// tenant_id for tenant-scoped rows; and which of them name rows of other
// tables. Built once per aggregate.
const TableSpec& table_of(const model::Aggregate& a) {
    struct Owned {
        std::vector<std::string_view> columns;
        std::vector<Renamed> renamed;
        std::vector<Reference> references;
        TableSpec spec;
    };
    static const auto tables = [] {
        std::map<std::string_view, Owned> out;
        for (const auto* described : model::aggregates()) {
            auto& owned = out[described->name];
            if (described->scope == model::Scope::tenant) {
                owned.columns.push_back("tenant_id");
                owned.references.push_back({"tenant_id", model::kTenant.table});
            }
            for (const auto& field : described->fields) {
                owned.columns.push_back(field.name);
                if (field.column_name() != field.name)
                    owned.renamed.push_back({field.name, field.column_name()});
                if (field.type == model::FieldType::reference)
                    owned.references.push_back({field.name, referenced_table(field)});
            }
            owned.spec =
                TableSpec{described->table, owned.columns, owned.renamed, owned.references};
        }
        return out;
    }();
    return tables.at(a.name).spec;
}

// A lifecycle step writes the inputs that are columns, and the new state;
// the audit row shows every input (a reason is in no column).
Result<Projected> acted(const model::Aggregate& a, const model::Action& action,
                        const TableSpec& spec, const events::Envelope& e) {
    boost::json::object changes;
    boost::json::object audit;
    for (const auto& entry : e.payload) {
        boost::json::object change{{"new", entry.value()}};
        if (a.field(entry.key()) != nullptr) changes[entry.key()] = change;
        audit[entry.key()] = std::move(change);
    }
    const bool tenant_scoped = a.scope == model::Scope::tenant;
    Projected out{{}, {}, &spec};
    if (changes.empty()) {
        // Nothing on the row changes (a note-only step): the row still moves on.
        out.statements.push_back(touch_row(spec, e, tenant_scoped));
    } else {
        auto update = update_row(spec, e, changes, tenant_scoped);
        if (!update) return std::move(update).error();
        out.statements.push_back(std::move(*update));
    }
    if (action.removes) {
        out.statements.push_back(soft_delete_row(spec, e, tenant_scoped));
        audit["deleted_at"] = boost::json::object{{"new", e.occurred_at.to_string()}};
    }
    out.changes = std::move(audit);
    return out;
}

// A table without deleted_at (features) loses the row, and first the rows
// of other tables that refer to it (the tenants' choices of a feature).
Projected removed(const model::Aggregate& a, const events::Envelope& e) {
    Projected out;
    const auto row = row_key(a.table, e.aggregate_id.to_string());
    for (const auto* other : model::aggregates()) {
        for (const auto& field : other->fields) {
            if (field.type == model::FieldType::reference && field.references == a.name) {
                out.statements.push_back(
                    delete_rows(other->table, field.column_name(), e.aggregate_id, row));
            }
        }
    }
    out.statements.push_back(delete_rows(a.table, "id", e.aggregate_id, row));
    out.changes = {{"removed", boost::json::object{{"old", false}, {"new", true}}}};
    return out;
}

}  // namespace

std::optional<Result<Projected>> project(const events::Envelope& e) {
    const auto* a = model::find_aggregate(e.aggregate_type);
    if (a == nullptr) return std::nullopt;
    const auto& spec = table_of(*a);
    const bool tenant_scoped = a->scope == model::Scope::tenant;
    if (e.event_type == a->created) return created(spec, e, tenant_scoped);
    if (e.event_type == a->updated) {
        auto projected = updated(spec, e, tenant_scoped);
        // Version 2 carries only the new values: the row holds the old ones.
        if (projected && e.schema_version >= 2) projected->old_values_from = &spec;
        return projected;
    }
    if (!a->deleted.empty() && e.event_type == a->deleted) {
        if (!a->soft_delete) return removed(*a, e);
        return deleted(spec, e, tenant_scoped);
    }
    if (const auto* action = a->action_for_event(e.event_type)) return acted(*a, *action, spec, e);
    return std::nullopt;
}

}  // namespace cc::projection::aggregate
