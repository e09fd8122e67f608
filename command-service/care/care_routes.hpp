#pragma once
#include "command-service/command_bus.hpp"
#include "platform/http/router.hpp"

namespace cc::command {

// POST/PATCH/DELETE /v1/tenants/{tenant_id}/patients and .../care-professionals.
void add_care_routes(http::Router& router, CommandBus& bus);

}  // namespace cc::command
