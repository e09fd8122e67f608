#pragma once
#include "platform/http/router.hpp"
#include "query-service/access.hpp"
#include "query-service/read_api.hpp"

namespace cc::query {

// GET /v1/tenants[/{tenant_id}], /v1/users[/{user_id}],
// /v1/tenants/{tenant_id}/members[/{user_id}].
void add_identity_routes(http::Router& router, ReadApi& api, Access& access);

}  // namespace cc::query
