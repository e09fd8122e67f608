#include "query-service/read_api.hpp"

#include <charconv>
#include <pqxx/pqxx>

#include "platform/core/uuid.hpp"
#include "platform/http/conditional.hpp"
#include "platform/observability/logger.hpp"
#include "platform/pg/errors.hpp"
#include "platform/pg/prepared.hpp"
#include "query-service/access.hpp"

namespace cc::query {
namespace {

// The query service's statements: a few texts per route and set of filters.
pqxx::result run(pg::ConnectionPool& pool, const pg::Statement& statement) {
    static pg::PreparedNames prepared("cc_read_", 512);
    auto connection = pool.acquire();
    return pg::run_single(*connection, prepared, statement);
}

// A filter value PostgreSQL cannot read as its column's type (a date that
// does not exist) is the client's mistake, not ours.
Error bad_value() {
    return Error::make(ErrorKind::malformed, "bad-filter",
                       "a filter value is not valid for its field");
}
http::Response bad_value(const http::Request& request) {
    return http::Response::problem(bad_value(), request);
}

// The driver's message may name hosts: it stays out of the answer.
Error unavailable() {
    return Error::make(ErrorKind::unavailable, "database-unavailable",
                       "the read store is unavailable");
}
http::Response unavailable(const http::Request& request) {
    return http::Response::problem(unavailable(), request);
}

}  // namespace

http::Handler database_outages_answered(http::Handler inner) {
    return [inner = std::move(inner)](http::Request& request) {
        try {
            return inner(request);
        } catch (const std::exception& e) {
            if (!pg::is_unavailable(e)) throw;
            obs::warn("read store unavailable",
                      {{"error", e.what()}, {"request_id", request.request_id}});
            return unavailable(request);
        }
    };
}

Result<std::string> uuid_param(const http::Request& request, const std::string& name) {
    const auto& value = request.param(name);
    if (!Uuid::parse(value))
        return Error::make(ErrorKind::not_found, "not-found", name + " not found");
    return value;
}

Result<std::size_t> page_limit(const http::Request& request) {
    auto limit = request.query_param("limit");
    if (!limit) return kDefaultPageSize;
    std::size_t parsed = 0;
    auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), parsed);
    if (ec != std::errc{} || end != limit->data() + limit->size() || parsed < 1 ||
        parsed > kMaxPageSize) {
        Error error = Error::make(ErrorKind::malformed, "bad-limit",
                                  "limit must be between 1 and " + std::to_string(kMaxPageSize));
        error.fields.push_back({"limit", "range", error.detail});
        return error;
    }
    return parsed;
}

Result<ListRequest> ReadApi::list_request(const http::Request& request, const Resource& resource) {
    ListRequest out;
    auto limit = page_limit(request);
    if (!limit) return std::move(limit).error();
    out.limit = *limit;
    if (auto after = request.query_param("cursor")) {
        auto cursor = decode_cursor(resource, *after);
        if (!cursor) {
            Error error = Error::make(ErrorKind::malformed, "bad-cursor", "cursor is not valid");
            error.fields.push_back({"cursor", "format", error.detail});
            return error;
        }
        out.after = cursor->key;
        out.after_sort = cursor->sort_value;
        out.after_then = cursor->then_value;
    }
    if (auto q = request.query_param("q"); q && !q->empty()) {
        if (q->size() > model::kMaxSearchLength) {
            Error error = Error::make(ErrorKind::malformed, "bad-search", "q is too long");
            error.fields.push_back({"q", "too_long", error.detail});
            return error;
        }
        out.search = *q;
    }
    for (const auto& filter : resource.filters) {
        if (auto value = request.query_param(filter.parameter)) {
            const bool bad_date = filter.cast == "date" &&
                                  (value->size() != 10 || (*value)[4] != '-' || (*value)[7] != '-');
            if (bad_date) {
                Error error = Error::make(ErrorKind::malformed, "bad-filter",
                                          std::string(filter.parameter) + " must be YYYY-MM-DD");
                error.fields.push_back({std::string(filter.parameter), "format", error.detail});
                return error;
            }
            if (filter.op == "holds" && *value != "true" && *value != "false") {
                Error error = Error::make(ErrorKind::malformed, "bad-filter",
                                          std::string(filter.parameter) + " must be true or false");
                error.fields.push_back({std::string(filter.parameter), "format", error.detail});
                return error;
            }
            if (filter.cast == "uuid" && !Uuid::parse(*value) &&
                !(filter.accepts_me && *value == "me")) {
                Error error = Error::make(ErrorKind::malformed, "bad-filter",
                                          std::string(filter.parameter) + " must be a UUID");
                error.fields.push_back({std::string(filter.parameter), "format", error.detail});
                return error;
            }
            if (filter.accepts_me && *value == "me") {
                out.filters.emplace_back(filter.parameter, request.caller.user.to_string());
                continue;
            }
            out.filters.emplace_back(filter.parameter,
                                     filter.normalise ? filter.normalise(*value) : *value);
        }
    }
    return out;
}

Result<ReadApi::Rows> ReadApi::rows(const pg::Statement& statement) {
    pqxx::result result;
    try {
        result = run(pool_, statement);
    } catch (const pqxx::broken_connection&) {
        return unavailable();
    } catch (const pqxx::data_exception&) {
        return bad_value();
    }
    Rows out;
    for (const auto& row : result) {
        auto& cells = out.emplace_back();
        for (const auto& field : row) {
            cells.push_back(field.is_null() ? std::nullopt
                                            : std::optional<std::string>(field.c_str()));
        }
    }
    return out;
}

http::Response ReadApi::item(const http::Request& request, const Resource& resource,
                             const std::optional<std::string>& tenant_id, const std::string& key) {
    pqxx::result rows;
    try {
        rows = run(pool_, item_statement(resource, tenant_id, key));
    } catch (const pqxx::broken_connection&) {
        return unavailable(request);
    } catch (const pqxx::data_exception&) {
        return bad_value(request);
    }
    if (rows.empty()) {
        return http::Response::problem(
            Error::make(ErrorKind::not_found, "not-found",
                        std::string(resource.entity_type) + " not found"),
            request);
    }
    const auto version = rows[0][1].as<std::string>();
    const std::string etag = "\"" + version + "\"";
    // Weak comparison (RFC 9110 §13.1.2): W/"3", "*" and lists match too. An
    // unreadable header is ignored, as a cache would ignore it. An item
    // showing joined rows (a member's account) changes without its version,
    // which stays the If-Match of its own commands: it is never 304.
    if (auto none_match = request.header("if-none-match"); none_match && resource.joins.empty()) {
        const auto condition = http::parse_tag_list(*none_match);
        if (condition && http::none_match_fails(*condition, {false, version})) {
            return http::Response::empty(304).with_header("ETag", etag);
        }
    }
    http::Response response;
    response.body = rows[0][0].as<std::string>();
    response.headers = {{"Content-Type", "application/json"}, {"ETag", etag}};
    return response;
}

Result<std::optional<std::string>> ReadApi::fetch(const Resource& resource,
                                                  const std::string& tenant_id,
                                                  const std::string& key) {
    pqxx::result rows;
    try {
        rows = run(pool_, item_statement(resource, tenant_id, key));
    } catch (const pqxx::broken_connection&) {
        return Error::make(ErrorKind::unavailable, "database-unavailable",
                           "the read store is unavailable");
    }
    if (rows.empty()) return std::optional<std::string>();
    return std::optional<std::string>(rows[0][0].as<std::string>());
}

http::Response ReadApi::list(const http::Request& request, const Resource& resource,
                             const std::optional<std::string>& tenant_id,
                             const std::optional<std::string>& member_of,
                             std::optional<std::pair<std::string_view, std::string>> pinned) {
    auto list_req = list_request(request, resource);
    if (!list_req) return http::Response::problem(list_req.error(), request);
    // A nested list: the path names the reference, whatever the query says.
    if (pinned) list_req->filters.push_back(std::move(*pinned));
    list_req->tenant_id = tenant_id;
    list_req->member_of = member_of;
    return page(request, list_statement(resource, *list_req), list_req->limit);
}

http::Response ReadApi::totals(const http::Request& request, const Resource& resource,
                               const std::string& tenant_id, const Totals& totals) {
    auto list_req = list_request(request, resource);
    if (!list_req) return http::Response::problem(list_req.error(), request);
    list_req->tenant_id = tenant_id;
    pqxx::result rows;
    try {
        rows = run(pool_, totals_statement(resource, *list_req, totals));
    } catch (const pqxx::broken_connection&) {
        return unavailable(request);
    } catch (const pqxx::data_exception&) {
        return bad_value(request);
    }
    http::Response response;
    response.body = rows[0][0].as<std::string>();
    response.headers = {{"Content-Type", "application/json"}};
    return response;
}

http::Response ReadApi::page(const http::Request& request, const pg::Statement& statement,
                             std::size_t limit) {
    pqxx::result rows;
    try {
        rows = run(pool_, statement);
    } catch (const pqxx::broken_connection&) {
        return unavailable(request);
    } catch (const pqxx::data_exception&) {
        return bad_value(request);
    }
    // Rows are already JSON documents: splice them instead of re-parsing.
    std::string body = "{\"items\":[";
    const std::size_t count = std::min<std::size_t>(rows.size(), limit);
    for (std::size_t i = 0; i < count; ++i) {
        if (i > 0) body += ',';
        body += rows[static_cast<pqxx::result::size_type>(i)][0].c_str();
    }
    body += "],\"next_cursor\":";
    if (rows.size() > limit) {
        body += "\"" + rows[static_cast<pqxx::result::size_type>(limit - 1)][1].as<std::string>() +
                "\"";
    } else {
        body += "null";
    }
    body += "}";
    http::Response response;
    response.body = std::move(body);
    response.headers = {{"Content-Type", "application/json"}};
    return response;
}

void add_tenant_resource_routes(http::Router& router, ReadApi& api, Access& access,
                                const std::string& name, const std::string& id_param,
                                const Resource& resource, auth::RoleSet permitted,
                                std::string_view feature, auth::Administration administration) {
    const std::string collection = "/v1/tenants/{tenant_id}/" + name;
    router.add(
        "GET", collection,
        [&api, &access, &resource, permitted, feature, administration](http::Request& r) {
            auto tenant = uuid_param(r, "tenant_id");
            if (!tenant) return http::Response::problem(tenant.error(), r);
            if (auto allowed = access.tenant(r.caller, *tenant, permitted, feature, administration);
                !allowed) {
                return http::Response::problem(allowed.error(), r);
            }
            return api.list(r, resource, *tenant);
        });
    router.add(
        "GET", collection + "/{" + id_param + "}",
        [&api, &access, &resource, permitted, id_param, feature, administration](http::Request& r) {
            auto tenant = uuid_param(r, "tenant_id");
            if (!tenant) return http::Response::problem(tenant.error(), r);
            auto id = uuid_param(r, id_param);
            if (!id) return http::Response::problem(id.error(), r);
            if (auto allowed = access.tenant(r.caller, *tenant, permitted, feature, administration);
                !allowed) {
                return http::Response::problem(allowed.error(), r);
            }
            return api.item(r, resource, *tenant, *id);
        });
}

}  // namespace cc::query
