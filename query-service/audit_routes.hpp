#pragma once
#include "platform/http/router.hpp"
#include "platform/pg/pool.hpp"
#include "query-service/access.hpp"
#include "query-service/read_api.hpp"

namespace cc::query {

// GET /v1/tenants/{tenant_id}/audit-logs (keyset pages, newest first) and
// .../audit-logs/export (the whole range, oldest first, as JSON lines or
// CSV with the chain columns, streamed from a database cursor).
void add_audit_routes(http::Router& router, ReadApi& api, Access& access, pg::ConnectionPool& pool);

}  // namespace cc::query
