#pragma once
// What both OpenAPI documents share: the document frame, the problem+json
// answers, the operational routes, parameters, and the x-permissions
// extension. Other tools read answers at
// paths[<template>][<method>].responses[<status>].content[<media type>].schema
// as a "$ref" to "#/components/schemas/<Name>": keep it that way.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <initializer_list>
#include <string>
#include <string_view>

#include "model/description.hpp"

namespace cc::contracts::openapi {

std::string schema_ref(std::string_view name);
boost::json::object ref_to(std::string_view name);

struct Service {
    std::string_view name;  // "command-service"
    int default_port;
    std::string_view description;
};
// info, servers, security, the operational paths; components with the
// Problem schema, the bearer scheme and the shared parameters.
boost::json::object document(const Service& service);

// An answer with a JSON body of a component schema.
boost::json::object json_answer(std::string_view description, std::string_view schema,
                                boost::json::object headers = {});
// problem+json answers for these statuses, added to `responses`.
void add_problems(boost::json::object& responses, std::initializer_list<int> statuses);

// An operation that needs a bearer token.
boost::json::object secured(std::string operation_id, std::string summary, std::string_view tag,
                            boost::json::object permissions);
// x-permissions: the tenant roles that permit it in the path's tenant, and
// whether a platform administrator may (authorize_tenant_action lets them).
boost::json::object permissions(auth::RoleSet roles, bool platform_admin = true);

boost::json::object path_id(std::string_view name, std::string_view description);
boost::json::object parameter_ref(std::string_view name);
// A JSON request body of a component schema.
boost::json::object request_body(std::string_view schema, bool required = true);

// Every column the query service answers for an aggregate: its item schema.
boost::json::object item_schema(const model::Aggregate& aggregate);
// {"items": [<item>], "next_cursor": ...}
boost::json::object list_schema(std::string_view item, std::string_view description);

void add_operation(boost::json::object& paths, const std::string& path, std::string_view method,
                   boost::json::object operation);

}  // namespace cc::contracts::openapi
