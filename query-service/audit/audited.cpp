#include "query-service/audit/audited.hpp"

#include <boost/json.hpp>

#include <pqxx/pqxx>

#include "platform/core/json.hpp"
#include "platform/observability/logger.hpp"
#include "query-service/generations.hpp"

namespace cc::query {
namespace {

using events::access::Fact;
using events::access::Kind;

bool operational(const http::Request& request) {
    return request.path == "/healthz" || request.path == "/readyz" || request.path == "/metrics" ||
           request.path == "/openapi.json";
}

std::optional<std::string> parameter(
    const std::vector<std::pair<std::string, std::string>>& parameters, std::string_view name) {
    for (const auto& [key, value] : parameters)
        if (key == name) return value;
    return std::nullopt;
}

std::optional<std::string> uuid_or_none(const std::optional<std::string>& text) {
    if (!text || !Uuid::parse(*text)) return std::nullopt;
    return text;
}

// The ids on a page: {"items": [{"id": ...}, ...]}.
std::vector<std::string> page_ids(const http::Response& response) {
    std::vector<std::string> ids;
    auto body = json::parse(response.body);
    if (!body || !body->is_object()) return ids;
    const auto* items = json::find(body->as_object(), "items");
    if (items == nullptr || !items->is_array()) return ids;
    for (const auto& item : items->as_array()) {
        if (!item.is_object()) continue;
        if (auto id = json::string_at(item.as_object(), "id")) ids.push_back(std::move(*id));
    }
    return ids;
}

// "urn:complexcare:problem:<slug>" of a problem answer: why it was refused.
std::optional<std::string> problem_slug(const http::Response& response) {
    auto body = json::parse(response.body);
    if (!body || !body->is_object()) return std::nullopt;
    auto type = json::string_at(body->as_object(), "type");
    if (!type) return std::nullopt;
    const auto colon = type->rfind(':');
    return colon == std::string::npos ? *type : type->substr(colon + 1);
}

// Who owns what a refused request named, in one round trip: the tenant of
// the path (if it exists at all), the tenant of the live row the id names
// (if any), and whether the caller is a live member of the path's tenant.
struct Owners {
    std::optional<std::string> path_tenant;
    std::optional<std::string> row_tenant;
    bool member = false;
    bool user_exists = false;  // audit_logs refers to users: a refused caller may be none
};

Owners owners(pg::ConnectionPool& pool, const std::optional<std::string>& tenant,
              const model::Aggregate* aggregate, const std::optional<std::string>& id,
              const std::optional<UserId>& caller) {
    // Only described table names reach the SQL.
    const std::string row_owner =
        aggregate != nullptr && id
            ? "(SELECT x.tenant_id::text FROM " + std::string(aggregate->table) +
                  " x WHERE x.id = $2::uuid" +
                  (aggregate->soft_delete ? " AND x.deleted_at IS NULL" : "") + ")"
            // $2 typed all the same: PostgreSQL refuses a parameter it cannot type.
            : "(CASE WHEN $2::uuid IS NULL THEN NULL::text END)";
    // Who owns what is a fact of the present, whatever generation was read.
    const pg::SearchPathScope present(present_search_path());
    auto connection = pool.acquire();
    pqxx::read_transaction tx(*connection);
    const auto row = tx.exec_params(
        "SELECT (SELECT t.id::text FROM tenants t WHERE t.id = $1::uuid), " + row_owner +
            ", EXISTS (SELECT 1 FROM user_tenants m WHERE m.tenant_id = $1::uuid "
            "AND m.user_id = $3::uuid AND m.deleted_at IS NULL), "
            "EXISTS (SELECT 1 FROM users u WHERE u.id = $3::uuid)",
        tenant, id, caller ? std::optional(caller->to_string()) : std::nullopt)[0];
    Owners out;
    if (!row[0].is_null()) out.path_tenant = row[0].as<std::string>();
    if (!row[1].is_null()) out.row_tenant = row[1].as<std::string>();
    out.member = row[2].as<bool>();
    out.user_exists = row[3].as<bool>();
    return out;
}

class Auditor {
  public:
    Auditor(const http::Router& router, const AccessRoutes& routes, pg::ConnectionPool& pool)
        : router_(router), routes_(routes), pool_(pool) {}

    // The access fact an answer makes, if any.
    std::optional<Fact> fact_of(const http::Request& request, const http::Response& response) {
        const int status = response.status;
        const bool answered = status == 200 || status == 206 || status == 304;
        const bool refused = status == 401 || status == 403 || status == 404;
        if (!answered && !refused) return std::nullopt;
        const auto pattern = router_.route_for(request.method, request.path);
        std::optional<AuditedRoute> route;
        std::vector<std::pair<std::string, std::string>> parameters;
        if (pattern) {
            route = routes_.find(*pattern);
            if (auto bound = path_parameters(*pattern, request.path)) parameters = *bound;
        }
        const auto tenant = uuid_or_none(parameter(parameters, "tenant_id"));
        std::optional<std::string> id;
        if (route && route->shape == AuditedRoute::Shape::item)
            id = uuid_or_none(parameter(parameters, route->id_param));

        Fact fact;
        fact.method = request.method;
        fact.path = request.path;
        const auto question = request.target.find('?');
        if (question != std::string::npos) {
            fact.query = events::access::without_credentials(
                std::string_view(request.target).substr(question + 1));
        }
        fact.route = pattern.value_or("");
        fact.status = status;
        fact.entity_type = route ? route->entity_type : "request";
        if (!request.remote_ip.empty()) fact.request.ip = request.remote_ip;
        fact.request.user_agent = request.header("user-agent");
        fact.request.request_id = request.request_id;
        fact.at = Timestamp::now();
        const bool authenticated = status != 401;
        if (authenticated) fact.user = request.caller.user;

        if (answered) {
            if (!route || !route->identifiable || !tenant) return std::nullopt;
            fact.tenant = TenantId(*Uuid::parse(*tenant));
            if (route->shape == AuditedRoute::Shape::item) {
                if (!id) return std::nullopt;
                fact.kind = Kind::view;
                fact.entity_ids = {*id};
            } else {
                fact.kind = Kind::search;
                fact.entity_ids = page_ids(response);
            }
            return fact;
        }

        // A 404 may hide something only on a described aggregate's routes,
        // which answer every non-member the 404 of a missing tenant. Others
        // (a tenant's profile, its members) serve platform administrators
        // who are no members, and their 404s are rows not there (yet).
        if (status == 404 && !route) return std::nullopt;
        fact.kind = Kind::denied;
        fact.reason = problem_slug(response);
        if (id) fact.entity_ids = {*id};
        // The tenant whose trail records it must exist (audit_logs refers to
        // tenants); an unauthenticated caller is recorded as no one.
        const auto who = owners(pool_, tenant, route ? route->aggregate : nullptr, id,
                                authenticated ? fact.user : std::nullopt);
        if (!who.user_exists) fact.user.reset();
        // A 404 on a live row of another tenant (or of this one, from a
        // non-member) is filed under the tenant that owns it.
        if (status == 404 && who.row_tenant && (who.row_tenant != tenant || !who.member)) {
            fact.tenant = TenantId(*Uuid::parse(*who.row_tenant));
            if (tenant && *tenant != *who.row_tenant) fact.requested_tenant_id = tenant;
            return fact;
        }
        // Everything else under the tenant the path names (a missing tenant:
        // the platform's, naming the one asked). A 404 is recorded, and so
        // held until its record is durable, whatever it hid, an id that
        // exists nowhere included (reason not-found, in the caller's own
        // tenant): were a missing id answered at once and a hidden one only
        // once recorded, the answer's timing would tell what its body does not.
        fact.tenant = who.path_tenant ? TenantId(*Uuid::parse(*who.path_tenant)) : kPlatformTenant;
        if (!who.path_tenant && tenant) fact.requested_tenant_id = tenant;
        return fact;
    }

  private:
    const http::Router& router_;
    const AccessRoutes& routes_;
    pg::ConnectionPool& pool_;
};

}  // namespace

http::Handler audited(http::Handler inner, const http::Router& router, const AccessRoutes& routes,
                      AccessRecorder& recorder, pg::ConnectionPool& pool) {
    auto auditor = std::make_shared<Auditor>(router, routes, pool);
    return [inner = std::move(inner), auditor, &recorder](http::Request& request) {
        auto response = inner(request);
        // A read-your-writes wait comes back through here once it has
        // waited; its own refusals (429, 503) reveal nothing.
        if (response.suspended() || operational(request)) return response;
        std::optional<Fact> fact;
        try {
            fact = auditor->fact_of(request, response);
        } catch (const std::exception& e) {
            obs::warn("cannot tell whose record a request named", {{"error", e.what()}});
            return http::Response::problem(
                Error::make(ErrorKind::unavailable, "access-log-unavailable",
                            "the access record of this read cannot be written; retry shortly"),
                request);
        }
        if (!fact) return response;
        return http::Response::suspend(
            [&recorder, fact = std::move(*fact), response = std::move(response),
             about = http::Response::problem_subject(request)](http::Resume resume) mutable {
                recorder.record(fact, [resume, response = std::move(response),
                                       about = std::move(about)](Status written) {
                    if (written) return resume(response);
                    resume(http::Response::problem(written.error(), about));
                });
            });
    };
}

}  // namespace cc::query
