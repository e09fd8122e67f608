#pragma once
// Reads and refusals are audited (DESIGN.md "Security"): the outermost
// handler of the query service. A read that answers patient-identifiable
// data (AccessRoutes) is recorded as a view (an item: its id) or a search
// (a page: every id on it); a 401, a 403, and every 404 on a described
// aggregate's route, as denied: filed under the tenant that owns what was
// asked for (a row of another tenant: its owner), else under the tenant
// the path names (a missing id: the caller's own). The answer is held,
// without a worker, until its record is durable, a 404 of a missing id as
// much as one that hides a row, so its timing tells nothing; a record that
// cannot be written turns the answer into 503 access-log-unavailable, never
// unaudited data. A refused 404 is byte for byte the 404 of a missing id.
#include "platform/http/router.hpp"
#include "platform/pg/pool.hpp"
#include "query-service/audit/access_recorder.hpp"
#include "query-service/audit/access_routes.hpp"

namespace cc::query {

// `router` matches requests that authentication refused before dispatch.
http::Handler audited(http::Handler inner, const http::Router& router, const AccessRoutes& routes,
                      AccessRecorder& recorder, pg::ConnectionPool& pool);

}  // namespace cc::query
