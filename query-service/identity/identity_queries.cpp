#include "query-service/identity/identity_queries.hpp"

#include <array>
#include <vector>

#include "model/aggregates/identity.hpp"
#include "platform/core/uuid.hpp"
#include "query-service/aggregate/resources.hpp"

namespace cc::query {
namespace {

using http::Request;
using http::Response;

// The identity resources come from their descriptions, with what only
// they need: the reserved platform tenant is bookkeeping, not a customer,
// and a membership is named by its user.
const Resource& tenants() {
    static const Resource resource = [] {
        Resource r = resource_of(model::kTenant);
        r.extra_condition = "t.id <> '00000000-0000-0000-0000-000000000000'";
        return r;
    }();
    return resource;
}
const Resource& users() {
    return resource_of(model::kUser);
}
// A member is read with their account's name, email and avatar: what
// colleagues know them by. A deleted account is not joined, so it shows
// none of them: its personal data stays out of the tenant's lists, and what
// DESIGN.md's erasure leaves (a tombstone address derived from the id) is
// no one's to show.
const Resource& memberships() {
    static const std::vector<Column> columns = [] {
        const auto own = resource_of(model::kMembership).columns;
        std::vector<Column> all(own.begin(), own.end());
        for (const auto field : model::kMemberAccountFields) {
            all.push_back(
                {.name = model::kUser.field(field)->column_name(), .as = field, .from = "u"});
        }
        return all;
    }();
    static const Resource resource = [] {
        Resource r = resource_of(model::kMembership);
        r.key_column = "user_id";
        r.columns = columns;
        r.joins = "LEFT JOIN users u ON u.id = t.user_id AND u.deleted_at IS NULL";
        return r;
    }();
    return resource;
}

// Users are not tenant data: one's own account, or everyone's for a
// platform admin; another's answers 404.
Status own_account(Access& access, const auth::Caller& caller, const std::string& user_id) {
    auto status = access.live_caller(caller);
    if (status && !caller.platform_admin && caller.user.to_string() != user_id) {
        status = Error::make(ErrorKind::not_found, "not-found", "user not found");
    }
    return status;
}

}  // namespace

void add_identity_routes(http::Router& router, ReadApi& api, Access& access) {
    using auth::TenantAction;
    // Platform admins see every tenant; anyone else the tenants they belong to.
    router.add("GET", "/v1/tenants", [&api, &access](Request& r) {
        return guarded(r, access.live_caller(r.caller), [&] {
            if (r.caller.platform_admin) return api.list(r, tenants(), std::nullopt);
            return api.list(r, tenants(), std::nullopt, r.caller.user.to_string());
        });
    });
    router.add("GET", "/v1/tenants/{tenant_id}", [&api, &access](Request& r) {
        auto id = uuid_param(r, "tenant_id");
        if (!id) return Response::problem(id.error(), r);
        return guarded(r, access.tenant(r.caller, *id, TenantAction::read_tenant),
                       [&] { return api.item(r, tenants(), std::nullopt, *id); });
    });
    router.add("GET", "/v1/users", [&api, &access](Request& r) {
        auto status = access.live_caller(r.caller);
        if (status && !r.caller.platform_admin) status = auth::platform_admin_required();
        return guarded(r, status, [&] { return api.list(r, users(), std::nullopt); });
    });
    router.add("GET", "/v1/users/{user_id}", [&api, &access](Request& r) {
        auto id = uuid_param(r, "user_id");
        if (!id) return Response::problem(id.error(), r);
        return guarded(r, own_account(access, r.caller, *id),
                       [&] { return api.item(r, users(), std::nullopt, *id); });
    });
    add_tenant_resource_routes(router, api, access, "members", "user_id", memberships(),
                               auth::permitted_roles(TenantAction::read_members), {},
                               auth::administration_of(TenantAction::read_members));
    // A tenant's profile over time, for those who read its audit trail.
    router.add("GET", "/v1/tenants/{tenant_id}/history", [&api, &access](Request& r) {
        auto id = uuid_param(r, "tenant_id");
        if (!id) return Response::problem(id.error(), r);
        return guarded(r, access.tenant(r.caller, *id, TenantAction::read_audit),
                       [&] { return history_answer(api, r, model::kTenant, *id, *id); });
    });
    // An account over time (filed under the platform tenant), read as the
    // account is: one's own (a subject-access request) or as a platform admin.
    router.add("GET", "/v1/users/{user_id}/history", [&api, &access](Request& r) {
        auto id = uuid_param(r, "user_id");
        if (!id) return Response::problem(id.error(), r);
        return guarded(r, own_account(access, r.caller, *id), [&] {
            return history_answer(api, r, model::kUser, kPlatformTenant.to_string(), *id);
        });
    });
    // Who held which role when: grants, role changes and revocations.
    add_history(router, api, access, model::kMembership,
                auth::permitted_roles(TenantAction::read_members),
                auth::administration_of(TenantAction::read_members));
}

}  // namespace cc::query
