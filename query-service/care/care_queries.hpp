#pragma once
#include "platform/http/router.hpp"
#include "query-service/access.hpp"
#include "query-service/read_api.hpp"

namespace cc::query {

// GET /v1/tenants/{tenant_id}/patients[/{patient_id}] and .../care-professionals[/{id}].
void add_care_routes(http::Router& router, ReadApi& api, Access& access);

}  // namespace cc::query
