#include "query-service/features/feature_queries.hpp"

#include "model/aggregates/features.hpp"
#include "query-service/aggregate/resources.hpp"

namespace cc::query {
namespace {

using http::Request;
using http::Response;

// Every feature, by name, with what the tenant has of it: its own choice
// where it made one ("tenant"), the feature's default otherwise.
Response effective_features(ReadApi& api, const Request& request, const std::string& tenant_id) {
    auto limit = page_limit(request);
    if (!limit) return Response::problem(limit.error(), request);
    pg::Statement s;
    s.params = {tenant_id};
    std::string where = "TRUE";
    // The cursor is the last name of the previous page: names are unique.
    if (auto after = request.query_param("cursor")) {
        s.params.emplace_back(*after);
        where = "f.name > $2";
    }
    s.params.emplace_back(std::to_string(*limit + 1));
    s.sql =
        "SELECT json_build_object('feature_id', f.id, 'name', f.name, 'description', "
        "f.description, 'is_premium', COALESCE(f.is_premium, FALSE), 'is_enabled', "
        "COALESCE(tf.is_enabled, NOT COALESCE(f.is_premium, FALSE)), 'source', "
        "CASE WHEN tf.id IS NULL THEN 'default' ELSE 'tenant' END)::text, f.name "
        "FROM features f LEFT JOIN tenant_features tf ON tf.feature_id = f.id AND tf.tenant_id = "
        "$1::uuid WHERE " +
        where + " ORDER BY f.name LIMIT $" + std::to_string(s.params.size()) + "::int";
    return api.page(request, s, *limit);
}

}  // namespace

void add_feature_routes(http::Router& router, ReadApi& api, Access& access) {
    router.add("GET", "/v1/" + std::string(model::kFeature.collection),
               [&api, &access](Request& r) {
                   if (auto live = access.live_caller(r.caller); !live)
                       return Response::problem(live.error(), r);
                   return api.list(r, resource_of(model::kFeature), std::nullopt);
               });
    router.add("GET",
               "/v1/" + std::string(model::kFeature.collection) + "/{" +
                   std::string(model::kFeature.id_param) + "}",
               [&api, &access](Request& r) {
                   auto id = uuid_param(r, std::string(model::kFeature.id_param));
                   if (!id) return Response::problem(id.error(), r);
                   if (auto live = access.live_caller(r.caller); !live)
                       return Response::problem(live.error(), r);
                   return api.item(r, resource_of(model::kFeature), std::nullopt, *id);
               });
    router.add("GET", "/v1/tenants/{tenant_id}/" + std::string(model::kTenantFeature.collection),
               [&api, &access](Request& r) {
                   auto tenant = uuid_param(r, "tenant_id");
                   if (!tenant) return Response::problem(tenant.error(), r);
                   if (auto allowed =
                           // Which modules a tenant has is platform administration too.
                       access.tenant(r.caller, *tenant, model::kTenantFeature.permissions.read, {},
                                     auth::Administration::platform);
                       !allowed)
                       return Response::problem(allowed.error(), r);
                   return effective_features(api, r, *tenant);
               });
}

}  // namespace cc::query
