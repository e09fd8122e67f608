#pragma once
#include "command-service/command_bus.hpp"
#include "platform/http/router.hpp"

namespace cc::command {

// PUT/DELETE /v1/tenants/{tenant_id}/members/{user_id}; tenants and users take
// the routes derived from their descriptions (aggregate/routes.hpp).
void add_identity_routes(http::Router& router, CommandBus& bus);

}  // namespace cc::command
