#include "model/contracts/openapi_common.hpp"

#include "model/contracts/describe.hpp"
#include "model/contracts/field_schema.hpp"
#include "model/paging.hpp"

namespace cc::contracts::openapi {
namespace {

namespace json = boost::json;

const char* problem_description(int status) {
    switch (status) {
        case 400:
            return "Malformed: the body, a header or a query parameter cannot be read.";
        case 401:
            return "No valid bearer token, or its subject is not a live user.";
        case 403:
            return "The caller's role does not permit this.";
        case 404:
            return "Not found: also a tenant the caller is not a member of, and another "
                   "tenant's ids.";
        case 409:
            return "Conflict: a unique value is taken, or the current state does not allow "
                   "the step.";
        case 412:
            return "If-Match names a version that is no longer current.";
        case 422:
            return "Validation failed (see errors), a rule refused the change, or the "
                   "Idempotency-Key was used for another request.";
        case 413:
            return "The content is over its limit (documents: CC_DOCUMENT_MAX_BYTES); nothing "
                   "was stored.";
        case 415:
            return "The content's type is not on the allow-list.";
        case 416:
            return "The Range does not overlap the content; Content-Range gives its size.";
        case 428:
            return "If-Match is required: send the version you read.";
        case 429:
            return "The caller already waits for as many min_positions as it may "
                   "(CC_MAX_WAITS_PER_CALLER): retry after Retry-After.";
        case 500:
            return "An unexpected error: for a download, the stored bytes no longer match "
                   "their SHA-256 (logged as corruption).";
        case 503:
            return "The log or the read store is unavailable, the writer was fenced, or the "
                   "projection has not reached min_position yet: retry after Retry-After.";
        default:
            return "Error.";
    }
}

json::object header(std::string_view description, json::object schema) {
    return {{"description", description}, {"schema", std::move(schema)}};
}

json::object problem_headers(int status) {
    json::object headers;
    if (status == 401)
        headers["WWW-Authenticate"] = header("Bearer realm=\"complexcare\".", {{"type", "string"}});
    if (status == 503 || status == 429)
        headers["Retry-After"] = header("Seconds to wait before retrying.", {{"type", "integer"}});
    return headers;
}

json::object problem_schema() {
    return {
        {"type", "object"},
        {"description", "RFC 9457 problem details."},
        {"required", {"type", "title", "status", "detail"}},
        {"properties",
         {{"type",
           {{"type", "string"},
            {"description", "Stable problem type, urn:complexcare:problem:<slug>."},
            {"examples", {"urn:complexcare:problem:validation-failed"}}}},
          {"title", {{"type", "string"}}},
          {"status", {{"type", "integer"}}},
          {"detail", {{"type", "string"}, {"description", "What went wrong, for a person."}}},
          {"instance", {{"type", "string"}, {"description", "The request path."}}},
          {"request_id", {{"type", "string"}}},
          {"errors",
           {{"type", "array"},
            {"description", "One entry per refused field, for validation problems."},
            {"items",
             {{"type", "object"},
              {"required", {"field", "code", "message"}},
              {"properties",
               {{"field", {{"type", "string"}}},
                {"code",
                 {{"type", "string"},
                  {"description", "Stable, machine-readable: required, too_long, format, ..."}}},
                {"message", {{"type", "string"}}}}}}}}}}},
    };
}

json::object status_schema(std::string_view value) {
    return {{"type", "object"},
            {"required", {"status"}},
            {"properties", {{"status", {{"type", "string"}, {"examples", {value}}}}}}};
}

json::object operational(std::string operation_id, std::string summary, json::object responses) {
    return {{"operationId", std::move(operation_id)},
            {"summary", std::move(summary)},
            {"tags", {"operations"}},
            {"security", json::array{}},
            {"responses", std::move(responses)}};
}

json::object operational_paths(const Service& service) {
    json::object paths;
    add_operation(paths, "/healthz", "get",
                  operational("health", "Liveness: the process answers.",
                              {{"200", json_answer("Alive.", "Status")}}));
    add_operation(paths, "/readyz", "get",
                  operational("readiness", "Readiness: the service can do its work.",
                              {{"200", json_answer("Ready.", "Status")},
                               {"503", json_answer("Starting or degraded.", "Status")}}));
    add_operation(
        paths, "/metrics", "get",
        operational("metrics", "Prometheus metrics.",
                    {{"200",
                      {{"description", "Prometheus text exposition format 0.0.4."},
                       {"content", {{"text/plain", {{"schema", {{"type", "string"}}}}}}}}}}));
    add_operation(
        paths, "/openapi.json", "get",
        operational(
            "openapi",
            "This document, as committed in openapi/" + std::string(service.name) + ".json.",
            {{"200",
              {{"description", "The OpenAPI document."},
               {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}}}));
    return paths;
}

json::object shared_parameters() {
    return {
        {"TenantId", path_id("tenant_id", "The tenant (tenants.id).")},
        {"IfMatch",
         {{"name", "If-Match"},
          {"in", "header"},
          {"description",
           "The version you read, e.g. \"3\" (an ETag): 412 if it is no longer current. "
           "Optional here."},
          {"schema", {{"type", "string"}, {"pattern", "^(W/)?\"?[1-9][0-9]*\"?$"}}}}},
        {"IfMatchRequired",
         {{"name", "If-Match"},
          {"in", "header"},
          {"required", true},
          {"description",
           "The version you read, e.g. \"3\" (an ETag): 428 without it, 412 if it is no "
           "longer current."},
          {"schema", {{"type", "string"}, {"pattern", "^(W/)?\"?[1-9][0-9]*\"?$"}}}}},
        {"IdempotencyKey",
         {{"name", "Idempotency-Key"},
          {"in", "header"},
          {"description",
           "A retry with the same key by the same caller returns the original answer "
           "(Idempotent-Replayed: true) and appends nothing, also after a restart; the same key "
           "with another method, path or body is refused (422 idempotency-key-reused). The "
           "first 255 bytes count."},
          {"schema", {{"type", "string"}}}}},
        {"CorrelationId",
         {{"name", "X-Correlation-Id"},
          {"in", "header"},
          {"description",
           "Groups the events of one workflow (envelope correlation_id); the request id when "
           "absent."},
          {"schema", {{"type", "string"}, {"format", "uuid"}}}}},
        {"Limit",
         {{"name", "limit"},
          {"in", "query"},
          {"description", "Page size."},
          {"schema",
           {{"type", "integer"},
            {"minimum", 1},
            {"maximum", model::kMaxPageSize},
            {"default", model::kDefaultPageSize}}}}},
        {"Cursor",
         {{"name", "cursor"},
          {"in", "query"},
          {"description", "The next_cursor of the previous page."},
          {"schema", {{"type", "string"}, {"format", "uuid"}}}}},
        {"MinPosition",
         {{"name", "min_position"},
          {"in", "query"},
          {"description",
           "Read your writes: a command's position; the answer waits (bounded, without "
           "holding a worker) until the projection has applied it, or is 503 "
           "projection-lagging. A position the log has not reached, or a partition it "
           "lacks, is 400 at once (position-beyond-log, unknown-partition); a caller "
           "holds at most CC_MAX_WAITS_PER_CALLER waits (429 too-many-waits)."},
          {"schema", {{"type", "string"}, {"pattern", kPositionPattern}}}}},
        {"XMinPosition",
         {{"name", "X-Min-Position"},
          {"in", "header"},
          {"description", "As min_position, in a header."},
          {"schema", {{"type", "string"}, {"pattern", kPositionPattern}}}}},
        {"AsOf",
         {{"name", "as_of"},
          {"in", "query"},
          {"description",
           "Read a past state instead of the current one: the name of an as-of generation "
           "made by `complexcare replay --as-of <time|position> --name <name>`. Read-only, "
           "with the same tenant isolation; for the tenant's admins and auditors (outside "
           "a tenant, platform administrators); anyone else gets 403 as-of-forbidden, and a "
           "name that is not ready 404 as-of-unknown. The answer carries CC-As-Of. Not with "
           "min_position (400 as-of-with-min-position)."},
          {"schema", {{"type", "string"}, {"pattern", "^[a-z][a-z0-9_]{0,39}$"}}}}},
        {"CCAsOf",
         {{"name", "CC-As-Of"},
          {"in", "header"},
          {"description", "As as_of, in a header (both: they must name the same one)."},
          {"schema", {{"type", "string"}, {"pattern", "^[a-z][a-z0-9_]{0,39}$"}}}}},
        {"IfNoneMatch",
         {{"name", "If-None-Match"},
          {"in", "header"},
          {"description", "The ETag you hold: 304 when the item has not changed."},
          {"schema", {{"type", "string"}}}}},
    };
}

}  // namespace

std::string schema_ref(std::string_view name) {
    return "#/components/schemas/" + std::string(name);
}

json::object ref_to(std::string_view name) {
    return {{"$ref", schema_ref(name)}};
}

json::object document(const Service& service) {
    const std::string name(service.name);
    return {
        {"openapi", "3.1.0"},
        {"info",
         {{"title", "ComplexCare " + name},
          {"version", "1.0.0"},
          {"description", std::string(service.description) + "\n\n" + std::string(kGenerated)},
          {"license", {{"name", "Proprietary"}}}}},
        {"servers",
         {{{"url", "http://127.0.0.1:" + std::to_string(service.default_port)},
           {"description", "The default listen address (CC_HTTP_HOST, CC_HTTP_PORT)."}}}},
        {"security", {{{"bearerAuth", json::array{}}}}},
        {"tags", json::array{}},
        {"paths", operational_paths(service)},
        {"components",
         {{"securitySchemes",
           {{"bearerAuth",
             {{"type", "http"},
              {"scheme", "bearer"},
              {"bearerFormat", "JWT"},
              {"description",
               "HS256 or RS256 JWT; sub is users.id of a live user. Every route but "
               "/healthz, /readyz, /metrics and /openapi.json needs one."}}}}},
          {"parameters", shared_parameters()},
          {"schemas", {{"Problem", problem_schema()}, {"Status", status_schema("ok")}}}}},
    };
}

json::object json_answer(std::string_view description, std::string_view schema,
                         json::object headers) {
    json::object answer{{"description", description}};
    if (!headers.empty()) answer["headers"] = std::move(headers);
    answer["content"] = {{"application/json", {{"schema", ref_to(schema)}}}};
    return answer;
}

void add_problems(json::object& responses, std::initializer_list<int> statuses) {
    for (int status : statuses) {
        json::object answer{{"description", problem_description(status)}};
        auto headers = problem_headers(status);
        if (!headers.empty()) answer["headers"] = std::move(headers);
        answer["content"] = {{"application/problem+json", {{"schema", ref_to("Problem")}}}};
        responses[std::to_string(status)] = std::move(answer);
    }
}

json::object secured(std::string operation_id, std::string summary, std::string_view tag,
                     json::object permissions) {
    return {{"operationId", std::move(operation_id)},
            {"summary", std::move(summary)},
            {"tags", {tag}},
            {"security", {{{"bearerAuth", json::array{}}}}},
            {"x-permissions", std::move(permissions)}};
}

json::object permissions(auth::RoleSet roles, bool platform_admin) {
    return {{"roles", role_names(roles)}, {"platform_admin", platform_admin}};
}

json::object path_id(std::string_view name, std::string_view description) {
    return {{"name", name},
            {"in", "path"},
            {"required", true},
            {"description", description},
            {"schema", {{"type", "string"}, {"format", "uuid"}}}};
}

json::object parameter_ref(std::string_view name) {
    return {{"$ref", "#/components/parameters/" + std::string(name)}};
}

json::object request_body(std::string_view schema, bool required) {
    return {{"required", required},
            {"content", {{"application/json", {{"schema", ref_to(schema)}}}}}};
}

json::object item_schema(const model::Aggregate& a) {
    json::object properties{
        {"id", uuid_schema("The " + spoken(a.name) + "'s id (" + std::string(a.table) + ".id).")}};
    if (a.scope == model::Scope::tenant)
        properties["tenant_id"] = uuid_schema("The tenant it belongs to.");
    for (const auto& field : a.fields) properties[field.name] = stored_schema(a, field);
    properties["created_at"] = timestamp_schema("When it was created (RFC 3339, UTC).");
    properties["updated_at"] = timestamp_schema("When it last changed (RFC 3339, UTC).");
    properties["version"] = {{"type", "integer"},
                             {"minimum", 1},
                             {"description",
                              "The aggregate version: the ETag, and the If-Match "
                              "of a change."}};
    json::array required;
    for (const auto& entry : properties) required.emplace_back(entry.key());
    return {{"type", "object"},
            {"description", a.doc},
            {"required", std::move(required)},
            {"properties", std::move(properties)}};
}

json::object list_schema(std::string_view item, std::string_view description) {
    return {{"type", "object"},
            {"description", description},
            {"required", {"items", "next_cursor"}},
            {"properties",
             {{"items", {{"type", "array"}, {"items", ref_to(item)}}},
              {"next_cursor",
               {{"type", json::array{"string", "null"}},
                {"description", "Pass as ?cursor= for the next page; null on the last page."}}}}}};
}

void add_operation(json::object& paths, const std::string& path, std::string_view method,
                   json::object operation) {
    auto& item = paths[path];
    if (!item.is_object()) item = json::object{};
    item.as_object()[method] = std::move(operation);
}

}  // namespace cc::contracts::openapi
