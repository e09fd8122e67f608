#include "query-service/identity/identity_queries.hpp"

#include <array>
#include <charconv>
#include <vector>

#include "model/aggregates/identity.hpp"
#include "platform/core/time.hpp"
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

// Audit cursor: "<created_at micros>_<id>", newest first.
struct AuditCursor {
    std::int64_t micros = 0;
    std::string id;
};

std::optional<AuditCursor> parse_audit_cursor(const std::string& text) {
    const auto sep = text.find('_');
    if (sep == std::string::npos) return std::nullopt;
    AuditCursor cursor;
    auto [end, ec] = std::from_chars(text.data(), text.data() + sep, cursor.micros);
    if (ec != std::errc{} || end != text.data() + sep) return std::nullopt;
    cursor.id = text.substr(sep + 1);
    if (!Uuid::parse(cursor.id)) return std::nullopt;
    return cursor;
}

Response audit_logs(ReadApi& api, const Request& request, const std::string& tenant_id) {
    // The generic cursor is a UUID; the audit trail's is time-ordered.
    pg::Statement s;
    s.params.emplace_back(tenant_id);
    std::string where = "a.tenant_id = $1::uuid";
    auto limit = page_limit(request);
    if (!limit) return Response::problem(limit.error(), request);
    if (auto cursor_text = request.query_param("cursor")) {
        auto cursor = parse_audit_cursor(*cursor_text);
        if (!cursor) {
            Error error = Error::make(ErrorKind::malformed, "bad-cursor", "cursor is not valid");
            error.fields.push_back({"cursor", "format", error.detail});
            return Response::problem(error, request);
        }
        s.params.emplace_back(Timestamp::from_micros(cursor->micros).to_string());
        s.params.emplace_back(cursor->id);
        where += " AND (a.created_at, a.id) < ($2::timestamptz, $3::uuid)";
    }
    for (const auto& [parameter, column] :
         {std::pair{"entity_type", "entity_type"}, std::pair{"action", "action"}}) {
        if (auto value = request.query_param(parameter)) {
            s.params.emplace_back(*value);
            where += std::string(" AND a.") + column + " = $" + std::to_string(s.params.size());
        }
    }
    if (auto entity = request.query_param("entity_id")) {
        if (!Uuid::parse(*entity)) {
            return Response::problem(
                Error::make(ErrorKind::malformed, "bad-filter", "entity_id must be a UUID"),
                request);
        }
        s.params.emplace_back(*entity);
        where += " AND a.entity_id = $" + std::to_string(s.params.size()) + "::uuid";
    }
    s.params.emplace_back(std::to_string(*limit + 1));
    s.sql =
        "SELECT row_to_json(x)::text, "
        "  (extract(epoch FROM x.ts) * 1000000)::bigint::text || '_' || x.id::text FROM ("
        "SELECT a.id, a.tenant_id, a.user_id, a.action, a.entity_type, a.entity_id, a.details, "
        "a.ip_address, a.user_agent, cc_rfc3339(a.created_at) AS created_at, a.created_at AS ts "
        "FROM audit_logs a WHERE " +
        where + " ORDER BY a.created_at DESC, a.id DESC LIMIT $" + std::to_string(s.params.size()) +
        "::int) x";
    return api.page(request, s, *limit);
}

// Answers the problem when `status` refuses, else runs `read`.
template <class Read>
Response guarded(const Request& request, const Status& status, Read&& read) {
    if (!status) return Response::problem(status.error(), request);
    return read();
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
        auto status = access.live_caller(r.caller);
        // Users are not tenant data: one's own account, or everyone's for a platform admin.
        if (status && !r.caller.platform_admin && r.caller.user.to_string() != *id) {
            status = Error::make(ErrorKind::not_found, "not-found", "user not found");
        }
        return guarded(r, status, [&] { return api.item(r, users(), std::nullopt, *id); });
    });
    add_tenant_resource_routes(router, api, access, "members", "user_id", memberships(),
                               auth::permitted_roles(TenantAction::read_members), {},
                               auth::administration_of(TenantAction::read_members));
    router.add("GET", "/v1/tenants/{tenant_id}/audit-logs", [&api, &access](Request& r) {
        auto tenant = uuid_param(r, "tenant_id");
        if (!tenant) return Response::problem(tenant.error(), r);
        return guarded(r, access.tenant(r.caller, *tenant, TenantAction::read_audit),
                       [&] { return audit_logs(api, r, *tenant); });
    });
}

}  // namespace cc::query
