#include "query-service/aggregate/resources.hpp"

#include <algorithm>
#include <vector>

#include "query-service/history.hpp"

namespace cc::query {

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

http::Response history_answer(ReadApi& api, const http::Request& request, const model::Aggregate& a,
                              const std::string& tenant_id, const std::string& id) {
    auto rows = api.rows(history_statement(a, tenant_id, id));
    if (!rows) return http::Response::problem(rows.error(), request);
    if (rows->empty()) {
        return http::Response::problem(
            Error::make(ErrorKind::not_found, "not-found", model::spoken(a.name) + " not found"),
            request);
    }
    std::vector<AuditRow> audit;
    for (auto& row : *rows) audit.push_back({row[0], row[1].value_or(""), row[2].value_or("")});
    auto body = history_body(a, audit, id);
    if (!body) return http::Response::problem(body.error(), request);
    http::Response response;
    response.body = std::move(*body);
    response.headers = {{"Content-Type", "application/json"}};
    return response;
}

// GET .../<collection>/{id}/history, for every tenant aggregate: every
// version, also of an item taken out of lists (a note entered in error);
// 404 for an id with none, which an id of another tenant is (the rows are
// read within the path's tenant).
void add_history(http::Router& router, ReadApi& api, Access& access, const model::Aggregate& a,
                 auth::RoleSet permitted, auth::Administration administration) {
    const std::string id_param(a.id_param);
    const std::string path =
        "/v1/tenants/{tenant_id}/" + std::string(a.collection) + "/{" + id_param + "}/history";
    router.add("GET", path,
               [&api, &access, &a, id_param, permitted, administration](http::Request& r) {
                   auto tenant = uuid_param(r, "tenant_id");
                   if (!tenant) return http::Response::problem(tenant.error(), r);
                   auto id = uuid_param(r, id_param);
                   if (!id) return http::Response::problem(id.error(), r);
                   if (auto allowed =
                           access.tenant(r.caller, *tenant, permitted, a.feature, administration);
                       !allowed) {
                       return http::Response::problem(allowed.error(), r);
                   }
                   return history_answer(api, r, a, *tenant, *id);
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
        add_history(router, api, access, *a, a->permissions.read);
    }
}

}  // namespace cc::query
