#pragma once
#include "command-service/command_bus.hpp"
#include "platform/http/router.hpp"

namespace cc::command {

// For every described aggregate on the generic commands, derived from its
// description: POST /v1/tenants/{tenant_id}/<collection>, PATCH and DELETE
// .../{id}, and POST .../{id}/<action> for each lifecycle action.
void add_aggregate_routes(http::Router& router, CommandBus& bus);

}  // namespace cc::command
