#pragma once
// End-to-end answers held to the published OpenAPI 3.1 documents,
// openapi/command-service.json and openapi/query-service.json.
#include <boost/json/value.hpp>

#include <filesystem>
#include <source_location>
#include <string_view>

namespace cc::testing {

enum class OpenApiCheck {
    checked,      // looked up and validated; any mismatch is a test failure
    no_document,  // the document does not exist (yet): nothing was checked
};

// Checks `body`, the answer to `method path_template` (the template exactly as
// the document's `paths` key, e.g. "/v1/tenants/{tenant_id}") with `status`,
// against the response schema that openapi/<service>.json gives for it
// (service "command-service" or "query-service"). The response is the
// status's own entry, else its range ("4XX"), else "default", as OpenAPI
// defines; `media_type` defaults to application/json below 400 and
// application/problem+json from 400. A path, method, status or media type the
// document does not describe is a test failure, as is a body that does not
// match; only a missing document is not: that answers no_document and says
// so on stdout, so tests can be written before the documents exist.
OpenApiCheck expect_matches_openapi(std::string_view service, std::string_view method,
                                    std::string_view path_template, int status,
                                    const boost::json::value& body,
                                    std::string_view media_type = {},
                                    std::source_location where = std::source_location::current());

// The same against any OpenAPI document file (tests of this helper use a fixture).
OpenApiCheck expect_matches_openapi_document(
    const std::filesystem::path& document, std::string_view method, std::string_view path_template,
    int status, const boost::json::value& body, std::string_view media_type = {},
    std::source_location where = std::source_location::current());

}  // namespace cc::testing
