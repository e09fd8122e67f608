#include "query-service/aggregate/resources.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include "query-service/history.hpp"

namespace cc::query {
namespace {

std::string_view cast_of(const model::Field& field) {
    switch (field.type) {
        case model::FieldType::date:
            return "date";
        case model::FieldType::timestamp:
            return "timestamptz";
        case model::FieldType::decimal:
            return "numeric";
        case model::FieldType::integer:
            return "int";
        case model::FieldType::boolean:
            return "boolean";
        case model::FieldType::reference:
            return "uuid";
        default:
            return "text";
    }
}

std::string_view op_of(model::FilterOp op) {
    switch (op) {
        case model::FilterOp::at_least:
            return ">=";
        case model::FilterOp::before:
            return "<";
        case model::FilterOp::contains:
            return "@>";
        case model::FilterOp::holds:
            return "holds";
        case model::FilterOp::on:
            return "on";
        case model::FilterOp::equals:
            break;
    }
    return "=";
}

struct Owned {
    std::vector<Column> columns;
    std::vector<Filter> filters;
    std::vector<std::string_view> search;
    Resource resource;
};

Owned build(const model::Aggregate& a) {
    Owned out;
    out.columns.push_back({"id"});
    if (a.scope == model::Scope::tenant) out.columns.push_back({"tenant_id"});
    for (const auto& field : a.fields) {
        const auto render = field.type == model::FieldType::timestamp ? Render::timestamp
                            : field.type == model::FieldType::decimal ? Render::decimal
                                                                      : Render::plain;
        out.columns.push_back({field.column_name(), render, field.name});
    }
    for (const auto name : a.search)
        out.search.push_back(model::column_field(a, name)->column_name());
    out.columns.push_back({"created_at", Render::timestamp});
    out.columns.push_back({"updated_at", Render::timestamp});
    for (const auto& filter : a.filters) {
        const auto* field = model::column_field(a, filter.field);
        // A description naming a column it lacks is a programming error.
        if (field == nullptr)
            throw std::logic_error("unknown filter field " + std::string(filter.field));
        // A holds filter takes true or false, whatever its column's type.
        const auto cast = filter.op == model::FilterOp::holds           ? "boolean"
                          : field->type == model::FieldType::text_array ? "text"
                                                                        : cast_of(*field);
        out.filters.push_back({filter.parameter, field->column_name(), cast, filter.normalise,
                               op_of(filter.op), filter.when_true,
                               field->references == model::kTenantMember});
    }
    return out;
}

}  // namespace

const Resource& resource_of(const model::Aggregate& a) {
    static const auto resources = [] {
        std::map<std::string_view, Owned> out;
        for (const auto* described : model::aggregates()) {
            auto& owned = out[described->name] = build(*described);
            owned.resource = Resource{
                .entity_type = described->name,
                .table = described->table,
                .columns = owned.columns,
                .tenant_column = described->scope == model::Scope::tenant ? "tenant_id" : "",
                .filters = owned.filters,
                .search_columns = owned.search,
                .sort_column =
                    described->sort.empty()
                        ? std::string_view{}
                        : model::column_field(*described, described->sort)->column_name(),
                .sort_cast = described->sort.empty()
                                 ? std::string_view{}
                                 : cast_of(*model::column_field(*described, described->sort)),
                .sort_nulls_last = !described->sort.empty() &&
                                   !model::column_field(*described, described->sort)->required,
                .soft_delete = described->soft_delete,
                .sort_descending = described->sort_descending,
            };
        }
        return out;
    }();
    return resources.at(a.name).resource;
}

// GET .../<parent>/{<parent id>}/<collection>: the list filtered on the
// reference the path names (a carer's schedule).
void add_nested_list(http::Router& router, ReadApi& api, Access& access, const model::Aggregate& a,
                     const model::NestedList& nested) {
    const auto* parent = model::find_aggregate(nested.parent);
    if (parent == nullptr) throw std::logic_error("unknown parent " + std::string(nested.parent));
    const std::string parent_param(parent->id_param);
    const std::string path = "/v1/tenants/{tenant_id}/" + std::string(parent->collection) + "/{" +
                             parent_param + "}/" + std::string(a.collection);
    const auto& resource = resource_of(a);
    const auto filter = std::find_if(
        resource.filters.begin(), resource.filters.end(),
        [&](const Filter& f) { return f.column == a.field(nested.field)->column_name(); });
    if (filter == resource.filters.end()) {
        throw std::logic_error("no filter on " + std::string(nested.field));
    }
    const std::string_view pinned = filter->parameter;
    router.add("GET", path, [&api, &access, &a, &resource, pinned, parent_param](http::Request& r) {
        auto tenant = uuid_param(r, "tenant_id");
        if (!tenant) return http::Response::problem(tenant.error(), r);
        auto parent_id = uuid_param(r, parent_param);
        if (!parent_id) return http::Response::problem(parent_id.error(), r);
        if (auto allowed = access.tenant(r.caller, *tenant, a.permissions.read, a.feature);
            !allowed) {
            return http::Response::problem(allowed.error(), r);
        }
        return api.list(r, resource, *tenant, std::nullopt, std::pair{pinned, *parent_id});
    });
}

// GET .../<collection>/summary: count and exact total per lifecycle state,
// with the list's filters. Added before the item route, which would
// otherwise take "summary" for an id.
void add_summary(http::Router& router, ReadApi& api, Access& access, const model::Aggregate& a) {
    const auto* field = a.field(a.totals);
    const auto* status = a.field(a.status);
    if (field == nullptr || status == nullptr)
        throw std::logic_error("totals need a field and a lifecycle");
    const Totals totals{
        .group_column = a.status,
        .sum_column = a.totals,
        .groups = status->values,
        .zero = field->scale > 0 ? "0." + std::string(static_cast<std::size_t>(field->scale), '0')
                                 : "0",
    };
    router.add(
        "GET", "/v1/tenants/{tenant_id}/" + std::string(a.collection) + "/summary",
        [&api, &access, &a, totals](http::Request& r) {
            auto tenant = uuid_param(r, "tenant_id");
            if (!tenant) return http::Response::problem(tenant.error(), r);
            if (auto allowed = access.tenant(r.caller, *tenant, a.permissions.read, a.feature);
                !allowed) {
                return http::Response::problem(allowed.error(), r);
            }
            return api.totals(r, resource_of(a), *tenant, totals);
        });
}

// GET .../<collection>/{id}/history: every version, also of an item taken
// out of lists (a note entered in error); 404 for an id with none.
void add_history(http::Router& router, ReadApi& api, Access& access, const model::Aggregate& a) {
    const std::string id_param(a.id_param);
    const std::string path =
        "/v1/tenants/{tenant_id}/" + std::string(a.collection) + "/{" + id_param + "}/history";
    router.add("GET", path, [&api, &access, &a, id_param](http::Request& r) {
        auto tenant = uuid_param(r, "tenant_id");
        if (!tenant) return http::Response::problem(tenant.error(), r);
        auto id = uuid_param(r, id_param);
        if (!id) return http::Response::problem(id.error(), r);
        if (auto allowed = access.tenant(r.caller, *tenant, a.permissions.read, a.feature);
            !allowed) {
            return http::Response::problem(allowed.error(), r);
        }
        auto rows = api.rows(history_statement(a, *tenant, *id));
        if (!rows) return http::Response::problem(rows.error(), r);
        if (rows->empty()) {
            return http::Response::problem(Error::make(ErrorKind::not_found, "not-found",
                                                       model::spoken(a.name) + " not found"),
                                           r);
        }
        std::vector<AuditRow> audit;
        for (auto& row : *rows) audit.push_back({row[0], row[1].value_or(""), row[2].value_or("")});
        auto body = history_body(a, audit);
        if (!body) return http::Response::problem(body.error(), r);
        http::Response response;
        response.body = std::move(*body);
        response.headers = {{"Content-Type", "application/json"}};
        return response;
    });
}

void add_aggregate_routes(http::Router& router, ReadApi& api, Access& access) {
    for (const auto* a : model::aggregates()) {
        if (!a->tenant_data()) continue;
        if (!a->totals.empty()) add_summary(router, api, access, *a);
        add_tenant_resource_routes(router, api, access, std::string(a->collection),
                                   std::string(a->id_param), resource_of(*a), a->permissions.read,
                                   a->feature);
        for (const auto& nested : a->nested) add_nested_list(router, api, access, *a, nested);
        if (a->history) add_history(router, api, access, *a);
    }
}

}  // namespace cc::query
