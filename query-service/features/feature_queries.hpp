#pragma once
// The feature catalogue, and which features a tenant has, so that a front
// end can show or hide its modules.
#include "platform/http/router.hpp"
#include "query-service/access.hpp"
#include "query-service/read_api.hpp"

namespace cc::query {

// GET /v1/features (any user) and GET /v1/tenants/{tenant_id}/features (the
// tenant's members): the effective state of every feature there.
void add_feature_routes(http::Router& router, ReadApi& api, Access& access);

}  // namespace cc::query
