#pragma once
// Runs read-model statements and shapes the answers every read endpoint
// shares: items with ETag / If-None-Match, pages with next_cursor.
#include "platform/http/message.hpp"
#include "platform/http/router.hpp"
#include "platform/pg/pool.hpp"
#include "query-service/resource.hpp"

namespace cc::query {

class ReadApi {
  public:
    explicit ReadApi(pg::ConnectionPool& pool) : pool_(pool) {}

    http::Response item(const http::Request& request, const Resource& resource,
                        const std::optional<std::string>& tenant_id, const std::string& key);
    http::Response list(const http::Request& request, const Resource& resource,
                        const std::optional<std::string>& tenant_id,
                        const std::optional<std::string>& member_of = std::nullopt,
                        std::optional<std::pair<std::string_view, std::string>> pinned = {});
    // One JSON document from a statement answering one row of one column
    // (totals), with the list's filters read from the query string.
    http::Response totals(const http::Request& request, const Resource& resource,
                          const std::string& tenant_id, const Totals& totals);
    // The item's JSON document, nothing for a missing or deleted one; for
    // routes that answer something other than the row (a document's bytes).
    Result<std::optional<std::string>> fetch(const Resource& resource, const std::string& tenant_id,
                                             const std::string& key);
    // A page from a custom statement whose rows are (json, cursor).
    http::Response page(const http::Request& request, const pg::Statement& statement,
                        std::size_t limit);

    // Every row of a statement, each column as text (nullopt for NULL); the
    // problems of the other reads when the store fails.
    using Rows = std::vector<std::vector<std::optional<std::string>>>;
    Result<Rows> rows(const pg::Statement& statement);

    // limit and after from the query string; 400 problem on bad values.
    static Result<ListRequest> list_request(const http::Request& request, const Resource& resource);

  private:
    pg::ConnectionPool& pool_;
};

class Access;

// GET /v1/tenants/{tenant_id}/<name> (a page) and .../<name>/{<id_param>} (an
// item) for a tenant-scoped resource, both behind `action`.
void add_tenant_resource_routes(
    http::Router& router, ReadApi& api, Access& access, const std::string& name,
    const std::string& id_param, const Resource& resource, auth::RoleSet permitted,
    std::string_view feature = {},
    auth::Administration administration = auth::Administration::members);

// `inner`, with a database that cannot be reached (lost connections, a
// server shutting down or starting up) answered 503 database-unavailable
// wherever it surfaces (access checks, read-your-writes, the reads), instead
// of the 500 of an unexpected error.
http::Handler database_outages_answered(http::Handler inner);

// ?limit=, 1..kMaxPageSize, default kDefaultPageSize.
Result<std::size_t> page_limit(const http::Request& request);
// 404 for ids that are not UUIDs, exactly as for ids that do not exist.
Result<std::string> uuid_param(const http::Request& request, const std::string& name);

}  // namespace cc::query
