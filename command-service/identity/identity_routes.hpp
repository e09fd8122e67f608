#pragma once
#include "command-service/command_bus.hpp"
#include "platform/http/router.hpp"

namespace cc::command {

// POST/PATCH/DELETE /v1/tenants, /v1/users; PUT/DELETE /v1/tenants/{tenant_id}/members/{user_id}.
void add_identity_routes(http::Router& router, CommandBus& bus);

}  // namespace cc::command
