#pragma once
#include "command-service/command_bus.hpp"
#include "platform/http/router.hpp"

namespace cc::command {

// For every described aggregate, derived from its description: POST
// /v1/tenants/{tenant_id}/<collection> (/v1/tenants and /v1/users for the
// tenant itself and platform rows), PATCH and DELETE .../{id}, and POST
// .../{id}/<action> for each lifecycle action; for items named by a field
// (memberships by their user) PUT and DELETE .../{value} instead.
void add_aggregate_routes(http::Router& router, CommandBus& bus);

// "/v1/tenants/{tenant_id}/<collection>" (or "/v1/<collection>" for platform rows).
std::string collection_path(const model::Aggregate& aggregate);
// What a command on `aggregate` targets, from the path: its tenant and, with
// `with_id`, the item's id (a new random one otherwise).
Result<aggregate::Target> target_of(const http::Request& request, const model::Aggregate& aggregate,
                                    bool with_id);

}  // namespace cc::command
