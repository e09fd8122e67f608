// The command service's OpenAPI document: the identity core's own routes,
// then the generic routes of every described aggregate (as
// command-service/aggregate/routes.cpp registers them).
#include "model/aggregates/features.hpp"
#include "model/aggregates/identity.hpp"
#include "model/contracts/contracts.hpp"
#include "model/contracts/describe.hpp"
#include "model/contracts/field_schema.hpp"
#include "model/contracts/openapi_common.hpp"

namespace cc::contracts {
namespace {

namespace json = boost::json;
using namespace openapi;
using auth::TenantAction;

constexpr std::string_view kDescription =
    "Commands: POST a collection to create, PATCH an item with If-Match: \"<version>\" to "
    "change, DELETE to soft-delete, POST .../{id}/<action> for lifecycle steps. Once the events "
    "are durable the answer is 201 or 200 with {\"id\", \"version\", \"position\"} and ETag: "
    "\"<version>\"; position (\"<partition>:<offset>\") is null when nothing changed, and a "
    "query passing it as min_position reads its own write. Every command takes "
    "Idempotency-Key. A rejected command appends nothing. x-permissions names, per operation, "
    "the member roles that permit it in the tenant of the path, and whether a platform "
    "administrator may.";

// Client fields, absent optional ones allowed; what a create or a PUT takes.
json::object create_body(const model::Aggregate& a, std::span<const model::Field> fields,
                         std::string description) {
    json::object properties;
    json::array required;
    for (const auto& field : fields) {
        if (field.set_by != model::Setter::client) continue;
        properties[field.name] = input_schema(a, field);
        // A field with a default from the caller may be left out.
        if (field.required && field.default_from == model::DefaultFrom::none)
            required.emplace_back(field.name);
    }
    json::object schema{{"type", "object"}, {"description", std::move(description)}};
    if (!required.empty()) schema["required"] = std::move(required);
    schema["additionalProperties"] = false;
    schema["properties"] = std::move(properties);
    return schema;
}

// Any client field that may change, at least one.
json::object patch_body(const model::Aggregate& a) {
    json::object properties;
    for (const auto& field : a.fields) {
        if (field.set_by != model::Setter::client || field.immutable) continue;
        properties[field.name] = input_schema(a, field);
    }
    return {{"type", "object"},
            {"description", "The " + spoken(a.name) +
                                " fields to change; at least one. Fields fixed at creation are "
                                "refused (422)."},
            {"minProperties", 1},
            {"additionalProperties", false},
            {"properties", std::move(properties)}};
}

json::object answers(int success, std::string_view what, std::initializer_list<int> problems) {
    json::object headers{{"ETag",
                          {{"description", "The version after the command, e.g. \"3\"."},
                           {"schema", {{"type", "string"}}}}},
                         {"Idempotent-Replayed",
                          {{"description",
                            "true when this is the stored answer to an earlier request with the "
                            "same Idempotency-Key."},
                           {"schema", {{"type", "string"}, {"enum", {"true"}}}}}}};
    json::object responses{{std::to_string(success), json_answer(what, "CommandResult", headers)}};
    add_problems(responses, problems);
    return responses;
}

struct Op {
    std::string id;
    std::string summary;
    std::string_view tag;
    json::object permissions;
    std::vector<json::object> parameters;
    std::string body = {};  // component schema of the request body ("": none)
    bool body_required = true;
    json::object responses = {};
};

json::object operation(Op op) {
    auto out = secured(std::move(op.id), std::move(op.summary), op.tag, std::move(op.permissions));
    json::array parameters;
    for (auto& p : op.parameters) parameters.emplace_back(std::move(p));
    parameters.push_back(parameter_ref("IdempotencyKey"));
    parameters.push_back(parameter_ref("CorrelationId"));
    out["parameters"] = std::move(parameters);
    if (!op.body.empty()) out["requestBody"] = request_body(op.body, op.body_required);
    out["responses"] = std::move(op.responses);
    return out;
}

json::object item_id(const model::Aggregate& a) {
    return path_id(a.id_param, "The " + spoken(a.name) + " (" + std::string(a.table) + ".id).");
}

void add_schemas(json::object& schemas, const model::Aggregate& a) {
    schemas[std::string(a.title) + "Create"] =
        create_body(a, a.fields, "A new " + spoken(a.name) + ". " + std::string(a.doc));
    // Tenant data that no role may change has no PATCH (nor its body).
    if (!a.tenant_data() || !a.permissions.update.empty())
        schemas[std::string(a.title) + "Patch"] = patch_body(a);
}

// POST /v1/tenants, /v1/users and their items: platform-level collections.
void add_platform_routes(json::object& paths, json::object& schemas, const model::Aggregate& a,
                         json::object create_permissions, json::object update_permissions,
                         json::object delete_permissions) {
    const std::string collection = "/v1/" + std::string(a.collection);
    const std::string item = collection + "/{" + std::string(a.id_param) + "}";
    const std::string title(a.title);
    add_schemas(schemas, a);
    add_operation(
        paths, collection, "post",
        operation({.id = "create" + title,
                   .summary = "Create a " + spoken(a.name) + ".",
                   .tag = a.title,
                   .permissions = std::move(create_permissions),
                   .parameters = {},
                   .body = title + "Create",
                   .responses = answers(201, "Created.", {400, 401, 403, 409, 422, 503})}));
    add_operation(paths, item, "patch",
                  operation({.id = "update" + title,
                             .summary = "Change some of a " + spoken(a.name) + "'s fields.",
                             .tag = a.title,
                             .permissions = std::move(update_permissions),
                             .parameters = {item_id(a), parameter_ref("IfMatchRequired")},
                             .body = title + "Patch",
                             .responses = answers(200, "Changed, or nothing to change.",
                                                  {400, 401, 403, 404, 409, 412, 422, 428, 503})}));
    add_operation(
        paths, item, "delete",
        operation(
            {.id = "delete" + title,
             .summary = (a.soft_delete ? "Soft-delete a " : "Delete a ") + spoken(a.name) + ".",
             .tag = a.title,
             .permissions = std::move(delete_permissions),
             .parameters = {item_id(a), parameter_ref("IfMatch")},
             .responses = answers(200, "Deleted.", {400, 401, 403, 404, 412, 503})}));
}

void add_identity_routes(json::object& paths, json::object& schemas) {
    using model::kMembership;
    using model::kTenant;
    using model::kUser;
    const auto admin_only = permissions({});
    add_platform_routes(paths, schemas, kTenant, admin_only,
                        permissions(auth::permitted_roles(TenantAction::update_tenant)),
                        admin_only);
    auto register_user = permissions(auth::permitted_roles(TenantAction::register_user));
    register_user["in_any_tenant"] = true;
    auto own_account = permissions({});
    own_account["own_account"] = true;
    add_platform_routes(paths, schemas, kUser, std::move(register_user), own_account, admin_only);

    // A membership is named by its user: PUT grants or changes it.
    const std::string item = "/v1/tenants/{tenant_id}/" + std::string(kMembership.collection) +
                             "/{" + std::string(kMembership.id_param) + "}";
    const auto manage = permissions(auth::permitted_roles(TenantAction::manage_members));
    const json::object user_id = path_id(kMembership.id_param, "The member's user (users.id).");
    schemas["MembershipPut"] =
        create_body(kMembership, kMembership.fields,
                    "The member's role and primary flag. " + std::string(kMembership.doc));
    auto put_answers =
        answers(200, "Changed, or nothing to change.", {400, 401, 403, 404, 409, 412, 422, 503});
    put_answers["201"] =
        json_answer("Granted (or granted again after a revocation).", "CommandResult",
                    put_answers["200"].as_object()["headers"].as_object());
    add_operation(
        paths, item, "put",
        operation({.id = "putMembership",
                   .summary = "Grant a membership, or change its role or primary flag.",
                   .tag = kMembership.title,
                   .permissions = manage,
                   .parameters = {parameter_ref("TenantId"), user_id, parameter_ref("IfMatch")},
                   .body = "MembershipPut",
                   .responses = std::move(put_answers)}));
    add_operation(
        paths, item, "delete",
        operation({.id = "revokeMembership",
                   .summary = "Revoke a membership (soft delete).",
                   .tag = kMembership.title,
                   .permissions = manage,
                   .parameters = {parameter_ref("TenantId"), user_id, parameter_ref("IfMatch")},
                   .responses = answers(200, "Revoked.", {400, 401, 403, 404, 412, 503})}));
}

// The feature catalogue (platform administrators) and a tenant's choice of
// a feature, PUT by the feature's name.
void add_feature_routes(json::object& paths, json::object& schemas) {
    using model::kFeature;
    using model::kTenantFeature;
    const auto admin_only = permissions({});
    add_platform_routes(paths, schemas, kFeature, admin_only, admin_only, admin_only);
    const std::string item = "/v1/tenants/{tenant_id}/" + std::string(kTenantFeature.collection) +
                             "/{" + std::string(kTenantFeature.id_param) + "}";
    json::object name =
        path_id(kTenantFeature.id_param, "The feature's name (features.name), e.g. appointments.");
    name["schema"] = json::object{{"type", "string"}, {"maxLength", 100}};
    schemas["TenantFeaturePut"] =
        create_body(kTenantFeature, kTenantFeature.fields,
                    "Whether the tenant has the feature. " + std::string(kTenantFeature.doc));
    auto put_answers =
        answers(200, "Changed, or nothing to change.", {400, 401, 403, 404, 409, 412, 422, 503});
    put_answers["201"] = json_answer("Set for the first time.", "CommandResult",
                                     put_answers["200"].as_object()["headers"].as_object());
    add_operation(paths, item, "put",
                  operation({.id = "putTenantFeature",
                             .summary = "Turn a feature on or off for a tenant.",
                             .tag = kTenantFeature.title,
                             .permissions = permissions(kTenantFeature.permissions.update, true),
                             .parameters = {parameter_ref("TenantId"), std::move(name),
                                            parameter_ref("IfMatch")},
                             .body = "TenantFeaturePut",
                             .responses = std::move(put_answers)}));
}

void add_action(json::object& paths, json::object& schemas, const model::Aggregate& a,
                const model::Action& action, const std::string& item) {
    const std::string who = spoken(a.name);
    std::string summary = "The " + std::string(action.name) + " step of a " + who;
    if (!action.to.empty()) summary += ": it becomes " + std::string(action.to);
    summary += ".";
    std::string description;
    if (!action.from.empty()) {
        std::vector<std::string> from(action.from.begin(), action.from.end());
        description = "Allowed from " + listed(from) + " (409 invalid-transition otherwise).";
    }
    if (!action.doc.empty())
        description += (description.empty() ? "" : " ") + std::string(action.doc);
    Op op{.id = std::string(action.name) + std::string(a.title),
          .summary = std::move(summary),
          .tag = a.title,
          .permissions = permissions(action.roles),
          .parameters = {parameter_ref("TenantId"), item_id(a), parameter_ref("IfMatch")},
          .responses = answers(200, "Done.", {400, 401, 403, 404, 409, 412, 422, 503})};
    if (!action.inputs.empty()) {
        const std::string input = std::string(a.title) + pascal_case(action.name) + "Input";
        schemas[input] =
            create_body(a, action.inputs,
                        "What the " + std::string(action.name) + " step of a " + who + " takes.");
        bool any_required = false;
        for (const auto& field : action.inputs) any_required = any_required || field.required;
        op.body = input;
        // A step whose inputs are all optional may be posted without a body.
        op.body_required = any_required;
    }
    op.id = pascal_case(op.id);
    op.id[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(op.id[0])));
    auto out = operation(std::move(op));
    if (!description.empty()) out["description"] = description;
    add_operation(paths, item + "/" + std::string(action.name), "post", std::move(out));
}

// POST of an aggregate created from a file: the bytes as multipart/form-data
// (a file part and the fields) or as the raw body with the fields in the query.
void add_upload(json::object& paths, json::object& schemas, const model::Aggregate& a,
                const std::string& collection) {
    const std::string title(a.title);
    auto form = create_body(a, a.fields, "The file and its fields. " + std::string(a.doc));
    auto& properties = form["properties"].as_object();
    properties["file"] = {{"type", "string"},
                          {"contentMediaType", "application/octet-stream"},
                          {"description",
                           "The file; its part's Content-Type, if any, is the declared type. "
                           "Without a name field, the part's filename is the name."}};
    if (auto* tags = properties.if_contains("tags")) properties["tags[]"] = *tags;
    json::array required{"file"};
    form["required"] = std::move(required);
    schemas[title + "UploadForm"] = std::move(form);
    json::array parameters{parameter_ref("TenantId")};
    for (const auto& field : a.fields) {
        if (field.set_by != model::Setter::client) continue;
        json::object schema = input_schema(a, field);
        json::object parameter{{"name", field.name},
                               {"in", "query"},
                               {"description", "With a raw body: " + std::string(field.doc)},
                               {"schema", std::move(schema)}};
        if (field.type == model::FieldType::text_array) parameter["explode"] = true;
        parameters.emplace_back(std::move(parameter));
    }
    auto out = operation({.id = "upload" + title,
                          .summary = "Upload a " + spoken(a.name) + ".",
                          .tag = a.title,
                          .permissions = permissions(a.permissions.create),
                          .parameters = {},
                          .responses = answers(201, "Stored and recorded.",
                                               {400, 401, 403, 404, 409, 413, 415, 422, 503})});
    for (auto& p : out["parameters"].as_array()) parameters.push_back(p);
    out["parameters"] = std::move(parameters);
    out["description"] =
        "The server works out the size, the type (from the content's magic bytes, against an "
        "allow-list: 415 file-type-not-allowed otherwise; 422 file-type-mismatch when a declared "
        "type contradicts them) and the SHA-256, stores the bytes durably in the blob store and "
        "then records the upload. Over CC_DOCUMENT_MAX_BYTES (25 MiB by default): 413, nothing "
        "stored or recorded. An empty file: 422.";
    out["requestBody"] = {
        {"required", true},
        {"content",
         {{"multipart/form-data", {{"schema", ref_to(title + "UploadForm")}}},
          {"application/octet-stream",
           {{"schema",
             {{"type", "string"},
              {"contentMediaType", "application/octet-stream"},
              {"description",
               "The file as the body; its Content-Type (e.g. application/pdf) is the declared "
               "type, application/octet-stream declares none. The fields go in the query."}}}}}}}};
    add_operation(paths, collection, "post", std::move(out));
}

void add_generic_routes(json::object& paths, json::object& schemas, const model::Aggregate& a) {
    const std::string collection = "/v1/tenants/{tenant_id}/" + std::string(a.collection);
    const std::string item = collection + "/{" + std::string(a.id_param) + "}";
    const std::string title(a.title);
    const std::string who = spoken(a.name);
    add_schemas(schemas, a);
    if (a.upload != nullptr) {
        schemas.erase(title + "Create");
        add_upload(paths, schemas, a, collection);
    } else {
        add_operation(paths, collection, "post",
                      operation({.id = "create" + title,
                                 .summary = "Create a " + who + ".",
                                 .tag = a.title,
                                 .permissions = permissions(a.permissions.create),
                                 .parameters = {parameter_ref("TenantId")},
                                 .body = title + "Create",
                                 .responses = answers(201, "Created.",
                                                      {400, 401, 403, 404, 409, 422, 503})}));
    }
    // A step no role may take has no route (as command-service/aggregate/routes.cpp).
    if (!a.permissions.update.empty())
        add_operation(
            paths, item, "patch",
            operation({.id = "update" + title,
                       .summary = "Change some of a " + who + "'s fields.",
                       .tag = a.title,
                       .permissions = permissions(a.permissions.update),
                       .parameters = {parameter_ref("TenantId"), item_id(a),
                                      parameter_ref("IfMatchRequired")},
                       .body = title + "Patch",
                       .responses = answers(200, "Changed, or nothing to change.",
                                            {400, 401, 403, 404, 409, 412, 422, 428, 503})}));
    if (!a.permissions.remove.empty())
        add_operation(
            paths, item, "delete",
            operation(
                {.id = "delete" + title,
                 .summary = "Soft-delete a " + who + ".",
                 .tag = a.title,
                 .permissions = permissions(a.permissions.remove),
                 .parameters = {parameter_ref("TenantId"), item_id(a), parameter_ref("IfMatch")},
                 .responses = answers(200, "Deleted.", {400, 401, 403, 404, 409, 412, 422, 503})}));
    for (const auto& action : a.actions) {
        if (!action.by_server) add_action(paths, schemas, a, action, item);
    }
}

json::object command_result() {
    return {
        {"type", "object"},
        {"required", {"id", "version", "position"}},
        {"properties",
         {{"id", uuid_schema("The aggregate the command acted on.")},
          {"version", {{"type", "integer"}, {"minimum", 1}, {"description", "Its version now."}}},
          {"position",
           {{"type", json::array{"string", "null"}},
            {"pattern", kPositionPattern},
            {"description",
             "<partition>:<offset> of the last event appended; null when the "
             "command changed nothing."}}}}}};
}

}  // namespace

json::object command_openapi(Aggregates aggregates) {
    auto doc = document({"command-service", 8081, kDescription});
    auto& paths = doc["paths"].as_object();
    auto& schemas = doc["components"].as_object()["schemas"].as_object();
    schemas["CommandResult"] = command_result();
    auto& tags = doc["tags"].as_array();
    tags.push_back(
        json::object{{"name", "operations"}, {"description", "Health, metrics, this document."}});
    for (const auto* a : {&model::kTenant, &model::kUser, &model::kMembership, &model::kFeature,
                          &model::kTenantFeature})
        tags.push_back(json::object{{"name", a->title}, {"description", a->doc}});
    add_identity_routes(paths, schemas);
    add_feature_routes(paths, schemas);
    for (const auto* a : aggregates) {
        if (!a->tenant_data()) continue;
        tags.push_back(json::object{{"name", a->title}, {"description", a->doc}});
        add_generic_routes(paths, schemas, *a);
    }
    return doc;
}

}  // namespace cc::contracts
