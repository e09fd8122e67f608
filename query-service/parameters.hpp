#pragma once
// Every read accepts exactly the query parameters its OpenAPI operation
// declares; anything else is 400 unknown-query-parameter. A misspelt filter
// (or an `as_of` this service does not know) must never quietly return
// unfiltered or current data. The allowed names come from the published
// contract, which the routes are checked against at start-up: one source.
#include <boost/json/object.hpp>

#include "platform/http/router.hpp"

namespace cc::query {

http::Handler known_parameters_only(http::Handler inner, const http::Router& router,
                                    const boost::json::object& openapi);

}  // namespace cc::query
