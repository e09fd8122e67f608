// The query service's OpenAPI document: the identity core's reads and the
// audit trail, then a list and an item for every described aggregate (as
// query-service/aggregate/resources.cpp registers them).
#include <algorithm>
#include <stdexcept>

#include "model/aggregates/features.hpp"
#include "model/aggregates/identity.hpp"
#include "model/contracts/contracts.hpp"
#include "model/contracts/describe.hpp"
#include "model/contracts/field_schema.hpp"
#include "model/contracts/openapi_common.hpp"
#include "model/file_types.hpp"
#include "model/paging.hpp"

namespace cc::contracts {
namespace {

namespace json = boost::json;
using namespace openapi;
using auth::TenantAction;

constexpr std::string_view kDescription =
    "Reads of the projections, tenant-scoped. Lists answer {\"items\": [...], \"next_cursor\": "
    "...} in keyset pages (?limit=, ?cursor=<next_cursor>); items carry version and an ETag, "
    "and If-None-Match answers 304. Deleted rows, unknown ids and tenants the caller is not a "
    "member of answer 404. Read your writes: pass a command's position as ?min_position= or "
    "X-Min-Position and the answer waits (bounded) until the projection has applied it, or is "
    "503 projection-lagging with Retry-After. x-permissions names, per operation, the member "
    "roles that permit it in the tenant of the path, and whether a platform administrator may.";

const model::Field& filtered_field(const model::Aggregate& a, const model::Filter& filter) {
    const auto* field = model::column_field(a, filter.field);
    // A description naming a column it lacks is a programming error.
    if (field == nullptr)
        throw std::logic_error("unknown filter field " + std::string(filter.field));
    return *field;
}

std::string filter_description(const model::Aggregate& a, const model::Filter& filter) {
    const std::string column =
        std::string(a.table) + "." + std::string(filtered_field(a, filter).column_name());
    std::string out;
    switch (filter.op) {
        case model::FilterOp::equals:
            out = "Only rows whose " + column + " equals the value";
            break;
        case model::FilterOp::at_least:
            out = "Only rows whose " + column + " is at or after the value";
            break;
        case model::FilterOp::before:
            out = "Only rows whose " + column + " is before the value";
            break;
        case model::FilterOp::contains:
            out = "Only rows whose " + column + " holds the value";
            break;
        case model::FilterOp::holds:
            out = "true: only " + std::string(filter.doc) + "; false: only the others";
            break;
        case model::FilterOp::on:
            out = "Only " + std::string(filter.doc);
            break;
    }
    if (filter.normalise != nullptr) out += " (normalised as on write, e.g. spaces removed)";
    return out + ".";
}

json::array read_parameters() {
    return {parameter_ref("MinPosition"), parameter_ref("XMinPosition"), parameter_ref("AsOf"),
            parameter_ref("CCAsOf")};
}

json::array filter_parameters(const model::Aggregate& a) {
    json::array out;
    for (const auto& filter : a.filters) {
        const auto& field = filtered_field(a, filter);
        auto schema = filter.op == model::FilterOp::holds
                          ? json::value(json::object{{"type", "boolean"}})
                          : json::value(parameter_schema(field));
        // A member reference also takes "me": the caller.
        if (field.references == model::kTenantMember && filter.op != model::FilterOp::holds) {
            schema = json::object{{"anyOf", json::array{schema, json::object{{"const", "me"}}}}};
        }
        out.push_back(json::object{{"name", filter.parameter},
                                   {"in", "query"},
                                   {"description", filter_description(a, filter)},
                                   {"schema", schema}});
    }
    return out;
}

json::array list_parameters(const model::Aggregate& a) {
    json::array out{parameter_ref("Limit"), parameter_ref("Cursor")};
    if (!a.search.empty()) {
        std::vector<std::string> columns(a.search.begin(), a.search.end());
        out.push_back(
            json::object{{"name", "q"},
                         {"in", "query"},
                         {"description", "Only rows whose " + listed(columns, "`", " or ") +
                                             " starts with this text, ignoring case."},
                         {"schema", {{"type", "string"}, {"maxLength", model::kMaxSearchLength}}}});
    }
    for (auto& p : filter_parameters(a)) out.push_back(p);
    return out;
}

json::object with_parameters(json::object operation, json::array parameters) {
    for (auto& p : read_parameters()) parameters.push_back(p);
    operation["parameters"] = std::move(parameters);
    return operation;
}

// A read that takes min_position may be told it waits for too many (429);
// one that takes as_of may be refused it (403), find no such past state
// (404) or be asked for both (400).
void add_wait_limits(json::object& paths) {
    const json::value min_position = parameter_ref("MinPosition");
    const json::value as_of = parameter_ref("AsOf");
    for (auto& [path, item] : paths) {
        for (auto& [method, operation] : item.as_object()) {
            auto* parameters = operation.as_object().if_contains("parameters");
            auto* responses = operation.as_object().if_contains("responses");
            if (parameters == nullptr || responses == nullptr) continue;
            const auto& list = parameters->as_array();
            if (std::find(list.begin(), list.end(), min_position) != list.end()) {
                add_problems(responses->as_object(), {429});
            }
            if (std::find(list.begin(), list.end(), as_of) == list.end()) continue;
            for (const int status : {400, 403, 404}) {
                if (responses->as_object().contains(std::to_string(status))) continue;
                add_problems(responses->as_object(), {status});
            }
        }
    }
}

json::object list_answers(std::string_view list, std::initializer_list<int> problems) {
    json::object responses{{"200", json_answer("A page.", list)}};
    add_problems(responses, problems);
    return responses;
}

json::object item_answers(std::string_view item, std::initializer_list<int> problems) {
    const json::object etag{{"ETag",
                             {{"description", "The version, e.g. \"3\": the If-Match of a change."},
                              {"schema", {{"type", "string"}}}}}};
    json::object responses{
        {"200", json_answer("The item.", item, etag)},
        {"304", {{"description", "Not modified (If-None-Match)."}, {"headers", etag}}}};
    add_problems(responses, problems);
    return responses;
}

void add_schemas(json::object& schemas, const model::Aggregate& a) {
    const std::string title(a.title);
    schemas[title] = item_schema(a);
    schemas[title + "List"] = list_schema(title, "A page of " + spoken(a.table) + ".");
}

// GET <collection> and <collection>/{id} behind one permission.
void add_reads(json::object& paths, const model::Aggregate& a, const std::string& collection,
               json::array collection_parameters, json::object list_permissions,
               json::object item_permissions, std::initializer_list<int> list_problems,
               std::initializer_list<int> item_problems, json::array item_parameters = {}) {
    const std::string title(a.title);
    const std::string who = spoken(a.name);
    auto list = secured("list" + title + "s", "List " + spoken(a.table) + ".", a.title,
                        std::move(list_permissions));
    json::array list_params = collection_parameters;
    for (auto& p : list_parameters(a)) list_params.push_back(p);
    add_operation(paths, collection, "get",
                  with_parameters(std::move(list), std::move(list_params)));
    paths[collection].as_object()["get"].as_object()["responses"] =
        list_answers(title + "List", list_problems);

    const std::string item = collection + "/{" + std::string(a.id_param) + "}";
    auto read = secured("get" + title, "Read a " + who + ".", a.title, std::move(item_permissions));
    json::array item_params = std::move(collection_parameters);
    if (item_parameters.empty())
        item_params.push_back(
            path_id(a.id_param, "The " + who + " (" + std::string(a.table) + ".id)."));
    for (auto& p : item_parameters) item_params.push_back(p);
    item_params.push_back(parameter_ref("IfNoneMatch"));
    add_operation(paths, item, "get", with_parameters(std::move(read), std::move(item_params)));
    paths[item].as_object()["get"].as_object()["responses"] = item_answers(title, item_problems);
}

json::object audit_log_schema() {
    const auto nullable_text = [](std::string_view description) {
        return json::object{{"type", json::array{"string", "null"}}, {"description", description}};
    };
    auto user =
        uuid_schema("users.id of the caller whose command produced it; null for the system.");
    make_nullable(user);
    // An access record of a search (a page of ids) or a refusal names no
    // single record: its ids, if any, are in details.
    auto entity = uuid_schema(
        "The aggregate_id; null for a row that names no single record (the access record of "
        "a search, whose ids are in details.entity_ids).");
    make_nullable(entity);
    return {{"type", "object"},
            {"description",
             "One row per event (id = event_id), append-only: who did what to which record, when "
             "and from where."},
            {"required",
             {"id", "tenant_id", "user_id", "action", "entity_type", "entity_id", "details",
              "ip_address", "user_agent", "created_at"}},
            {"properties",
             {{"id", uuid_schema("The event's event_id.")},
              {"tenant_id", uuid_schema("The tenant.")},
              {"user_id", std::move(user)},
              {"action",
               {{"type", "string"}, {"description", "The event_type, e.g. PatientRegistered."}}},
              {"entity_type", {{"type", "string"}, {"description", "The aggregate_type."}}},
              {"entity_id", std::move(entity)},
              {"details",
               {{"type", "object"},
                {"description",
                 "event_type, schema_version, aggregate_version, changes (old and new value per "
                 "changed field), request_id and correlation_id when known."}}},
              {"ip_address", nullable_text("Client IP address as the command service saw it.")},
              {"user_agent", nullable_text("The request's User-Agent.")},
              {"created_at", timestamp_schema("The event's occurred_at.")}}}};
}

// Who reads the audit trail: its members' roles; a platform administrator
// who is not a member gets 404 (platform administration is not access to
// the records' changes).
json::object audit_permissions() {
    return permissions(
        auth::permitted_roles(TenantAction::read_audit),
        auth::administration_of(TenantAction::read_audit) == auth::Administration::platform);
}

// The filters the audit trail's page and export share.
json::array audit_filter_parameters() {
    const auto query = [](std::string_view name, std::string_view description,
                          json::object schema) {
        return json::object{
            {"name", name}, {"in", "query"}, {"description", description}, {"schema", schema}};
    };
    const json::object time{{"type", "string"}, {"format", "date-time"}};
    const json::object uuid{{"type", "string"}, {"format", "uuid"}};
    const json::object text{{"type", "string"}, {"minLength", 1}, {"maxLength", 100}};
    return {
        query("from", "Only rows created at or after this time (RFC 3339 with an offset).", time),
        query("to", "Only rows created before this time (RFC 3339 with an offset); after from.",
              time),
        query("user_id", "Only rows whose user_id (who acted) is this user.", uuid),
        query("entity_type", "Only rows of this aggregate_type.", text),
        query("entity_id", "Only rows of this aggregate.", uuid),
        query("action", "Only rows of this event_type (or access action: view, search, denied).",
              text),
    };
}

constexpr std::string_view kAuditTrailScope =
    " Besides the tenant's own rows it holds the platform-level rows (filed under the platform "
    "tenant, 00000000-0000-0000-0000-000000000000) about the accounts of its members, those "
    "recorded while the account held a live membership of the tenant; never those of anyone "
    "else.";

void add_audit_logs(json::object& paths, json::object& schemas) {
    schemas["AuditLog"] = audit_log_schema();
    schemas["AuditLogList"] = list_schema("AuditLog", "A page of the audit trail, newest first.");
    auto op = secured("listAuditLogs", "The tenant's audit trail, newest first.", "AuditLog",
                      audit_permissions());
    op["description"] = std::string("Keyset pages, newest first, with any of the filters.") +
                        std::string(kAuditTrailScope);
    json::array parameters{
        parameter_ref("TenantId"),
        parameter_ref("Limit"),
        {{"name", "cursor"},
         {"in", "query"},
         {"description", "The next_cursor of the previous page (<micros>_<id>)."},
         {"schema", {{"type", "string"}, {"pattern", "^[0-9]+_[0-9a-fA-F-]{36}$"}}}},
    };
    for (auto& p : audit_filter_parameters()) parameters.push_back(p);
    const std::string path = "/v1/tenants/{tenant_id}/audit-logs";
    add_operation(paths, path, "get", with_parameters(std::move(op), std::move(parameters)));
    paths[path].as_object()["get"].as_object()["responses"] =
        list_answers("AuditLogList", {400, 401, 403, 404, 503});

    auto exported = secured("exportAuditLogs",
                            "The tenant's audit trail for a time range, as JSON lines or CSV.",
                            "AuditLog", audit_permissions());
    exported["description"] =
        std::string(
            "Every row of the range (from and to required) and filters, oldest first, streamed "
            "(chunked) as it is read. Each row carries the AuditLog fields and its hash-chain "
            "link from audit_chain: stream, seq, prev_hash, row_hash (null for a row not "
            "chained). format=jsonl (default): one JSON object per line. format=csv: RFC 4180, "
            "a header line, CRLF line ends, fields with commas, quotes or line breaks quoted "
            "(quotes doubled), NULL as an empty field, details as JSON text.") +
        std::string(kAuditTrailScope);
    json::array export_parameters{parameter_ref("TenantId")};
    for (auto& p : audit_filter_parameters()) export_parameters.push_back(p);
    export_parameters.push_back(json::object{{"name", "format"},
                                             {"in", "query"},
                                             {"description", "jsonl (default) or csv."},
                                             {"schema", {{"enum", {"jsonl", "csv"}}}}});
    const std::string export_path = path + "/export";
    add_operation(paths, export_path, "get",
                  with_parameters(std::move(exported), std::move(export_parameters)));
    json::object line_schema = schemas["AuditLog"].as_object();
    auto& properties = line_schema["properties"].as_object();
    const auto nullable = [](json::object schema) {
        make_nullable(schema);
        return schema;
    };
    properties["stream"] =
        nullable({{"type", "string"}, {"description", "The chain: changes or access."}});
    properties["seq"] =
        nullable({{"type", "integer"}, {"minimum", 1}, {"description", "Its place in the chain."}});
    const json::object hash{{"type", "string"}, {"pattern", "^[0-9a-f]{64}$"}};
    properties["prev_hash"] = nullable(hash);
    properties["row_hash"] = nullable(hash);
    auto& required = line_schema["required"].as_array();
    for (const auto* name : {"stream", "seq", "prev_hash", "row_hash"}) required.emplace_back(name);
    schemas["AuditExportLine"] = std::move(line_schema);
    const json::object disposition{
        {"Content-Disposition",
         {{"description", "attachment; filename=\"audit-<tenant_id>.<format>\""},
          {"schema", {{"type", "string"}}}}}};
    json::object responses{
        {"200",
         {{"description", "The rows, one per line (JSON lines), or a CSV table."},
          {"headers", disposition},
          {"content",
           {{"application/x-ndjson",
             {{"schema", {{"type", "string"}, {"contentMediaType", "application/x-ndjson"}}},
              {"x-line-schema", ref_to("AuditExportLine")}}},
            {"text/csv", {{"schema", {{"type", "string"}, {"contentMediaType", "text/csv"}}}}}}}}}};
    add_problems(responses, {400, 401, 403, 404, 503});
    paths[export_path].as_object()["get"].as_object()["responses"] = std::move(responses);
}

// The catalogue (any user) and a tenant's effective features (its members).
void add_feature_reads(json::object& paths, json::object& schemas) {
    using model::kFeature;
    add_schemas(schemas, kFeature);
    auto any_user = permissions({});
    any_user["any_user"] = true;
    add_reads(paths, kFeature, "/v1/features", {}, any_user, any_user, {400, 401, 503},
              {400, 401, 404, 503});
    schemas["TenantFeatureState"] = json::object{
        {"type", "object"},
        {"description",
         "A feature as a tenant has it: its own choice where it made one (source tenant), the "
         "feature's default otherwise (on unless premium)."},
        {"required", {"feature_id", "name", "description", "is_premium", "is_enabled", "source"}},
        {"properties",
         {{"feature_id", uuid_schema("The feature (features.id).")},
          {"name", {{"type", "string"}, {"description", "The feature's name."}}},
          {"description",
           {{"type", json::array{"string", "null"}}, {"description", "What it gives a tenant."}}},
          {"is_premium", {{"type", "boolean"}}},
          {"is_enabled", {{"type", "boolean"}, {"description", "Whether the tenant has it."}}},
          {"source", {{"enum", {"tenant", "default"}}}}}}};
    schemas["TenantFeatureStateList"] =
        list_schema("TenantFeatureState", "Every feature, by name, as the tenant has it.");
    const std::string path = "/v1/tenants/{tenant_id}/features";
    auto op =
        secured("listTenantFeatures",
                "Which features the tenant has, so a front end can show or hide modules.",
                model::kTenantFeature.title, permissions(model::kTenantFeature.permissions.read));
    add_operation(paths, path, "get",
                  with_parameters(std::move(op), {parameter_ref("TenantId"),
                                                  parameter_ref("Limit"),
                                                  {{"name", "cursor"},
                                                   {"in", "query"},
                                                   {"description",
                                                    "The next_cursor of the "
                                                    "previous page (a name)."},
                                                   {"schema", {{"type", "string"}}}}}));
    paths[path].as_object()["get"].as_object()["responses"] =
        list_answers("TenantFeatureStateList", {400, 401, 403, 404, 503});
}

// A member is read with their account's fields (query-service/identity):
// null once the account is deleted. Its version and ETag stay the
// membership's, the If-Match of its commands, so the item, whose account
// may change under the same version, never answers 304.
void add_member_account(json::object& paths, json::object& schemas) {
    auto& membership = schemas["Membership"].as_object();
    auto& properties = membership["properties"].as_object();
    auto& required = membership["required"].as_array();
    for (const auto name : model::kMemberAccountFields) {
        const auto& field = *model::kUser.field(name);
        auto schema = stored_schema(model::kUser, field);
        if (!stored_nullable(field)) make_nullable(schema);
        schema["description"] = field_description(model::kUser, field) +
                                " The member's account; null once the account is deleted.";
        properties[name] = std::move(schema);
        required.emplace_back(name);
    }
    auto& item = paths["/v1/tenants/{tenant_id}/members/{user_id}"].as_object()["get"].as_object();
    json::object responses;  // object::erase would move the last answer into its place
    for (const auto& answer : item["responses"].as_object()) {
        if (answer.key() != "304") responses[answer.key()] = answer.value();
    }
    item["responses"] = std::move(responses);
    auto& parameters = item["parameters"].as_array();
    const auto if_none_match = parameter_ref("IfNoneMatch");
    for (auto it = parameters.begin(); it != parameters.end();) {
        it = *it == if_none_match ? parameters.erase(it) : it + 1;
    }
}

void add_identity_reads(json::object& paths, json::object& schemas) {
    using model::kMembership;
    using model::kTenant;
    using model::kUser;
    for (const auto* a : {&kTenant, &kUser, &kMembership}) add_schemas(schemas, *a);

    // Platform admins see every tenant; anyone else the tenants they belong to.
    auto member_of_any = permissions(auth::permitted_roles(TenantAction::read_tenant));
    member_of_any["listed"] =
        "the tenants the caller is a live member of; every tenant for a "
        "platform administrator";
    add_reads(paths, kTenant, "/v1/tenants", {}, std::move(member_of_any),
              permissions(auth::permitted_roles(TenantAction::read_tenant)), {400, 401, 503},
              {400, 401, 404, 503});
    auto own_account = permissions({});
    own_account["own_account"] = true;
    add_reads(paths, kUser, "/v1/users", {}, permissions({}), std::move(own_account),
              {400, 401, 403, 503}, {400, 401, 404, 503});
    const auto members = permissions(auth::permitted_roles(TenantAction::read_members));
    add_reads(paths, kMembership, "/v1/tenants/{tenant_id}/members", {parameter_ref("TenantId")},
              members, members, {400, 401, 403, 404, 503}, {400, 401, 403, 404, 503},
              {path_id(kMembership.id_param, "The member's user (users.id).")});
    add_member_account(paths, schemas);
    add_audit_logs(paths, schemas);
}

// The count and exact total of `totals` per lifecycle state.
json::object summary_schema(const model::Aggregate& a) {
    const auto* field = a.field(a.totals);
    const auto* status = a.field(a.status);
    if (field == nullptr || field->type != model::FieldType::decimal || status == nullptr)
        throw std::logic_error("totals need a decimal field and a lifecycle");
    const std::string name(a.totals);
    const json::object totals{
        {"type", "object"},
        {"required", {"count", "total"}},
        {"properties",
         {{"count", {{"type", "integer"}, {"minimum", 0}, {"description", "How many."}}},
          {"total",
           {{"type", "string"},
            {"pattern", std::string(field->non_negative ? "^" : "^-?") + "[0-9]+\\.[0-9]{" +
                            std::to_string(field->scale) + "}$"},
            {"description",
             "The exact sum of their " + name + ", as decimal text (0 for none)."}}}}},
        {"additionalProperties", false}};
    json::object states;
    json::array required;
    for (auto state : status->values) {
        states[state] = totals;
        required.push_back(json::string(state));
    }
    return {{"type", "object"},
            {"required", {"by_status"}},
            {"properties",
             {{"by_status",
               {{"type", "object"},
                {"description", "Every " + std::string(a.status) + ", with none as 0."},
                {"required", std::move(required)},
                {"properties", std::move(states)},
                {"additionalProperties", false}}}}},
            {"additionalProperties", false}};
}

// GET <collection>/summary: the list's filters, one answer.
void add_summary(json::object& paths, json::object& schemas, const model::Aggregate& a,
                 const std::string& collection) {
    const std::string title(a.title);
    schemas[title + "Summary"] = summary_schema(a);
    auto op = secured("summarise" + title + "s",
                      "Count and exact total of " + std::string(a.totals) + " per " +
                          std::string(a.status) + " of the tenant's " + spoken(a.table) +
                          ", with the list's filters (e.g. patient_id).",
                      a.title, permissions(a.permissions.read));
    json::array params{parameter_ref("TenantId")};
    for (auto& p : filter_parameters(a)) params.push_back(p);
    const std::string path = collection + "/summary";
    add_operation(paths, path, "get", with_parameters(std::move(op), std::move(params)));
    json::object responses{{"200", json_answer("The totals.", title + "Summary")}};
    add_problems(responses, {400, 401, 403, 404, 503});
    paths[path].as_object()["get"].as_object()["responses"] = std::move(responses);
}

json::object history_schema(const model::Aggregate& a) {
    const std::string who = spoken(a.name);
    auto recorded_by = uuid_schema("users.id of who recorded it (the event's actor).");
    make_nullable(recorded_by);
    const json::object version{
        {"type", "object"},
        {"required",
         {"version", "event_type", "step", "recorded_by", "recorded_at", "reason", "changes",
          "values"}},
        {"properties",
         {{"version", {{"type", "integer"}, {"minimum", 1}, {"description", "The version."}}},
          {"event_type", {{"type", "string"}, {"description", "The event that made it."}}},
          {"step",
           {{"type", "string"}, {"description", "create, update, delete, or the action's name."}}},
          {"recorded_by", std::move(recorded_by)},
          {"recorded_at", timestamp_schema("When it was recorded (the event's occurred_at).")},
          {"reason",
           {{"type", json::array{"string", "null"}}, {"description", "Why, when the step asks."}}},
          {"changes",
           {{"type", "object"},
            {"description",
             "What this version changed: per field (and per step input, such as a reason), its "
             "value before (null on creation) and after."},
            {"additionalProperties",
             {{"type", "object"},
              {"required", {"old", "new"}},
              {"properties", {{"old", json::object{}}, {"new", json::object{}}}}}}}},
          {"values",
           {{"type", "object"},
            {"description", "The " + who + "'s fields as this version left them."}}}}}};
    return {{"type", "object"},
            {"description", "Every version of a " + who + ", oldest first, from the audit trail."},
            {"required", {"items"}},
            {"properties", {{"items", {{"type", "array"}, {"items", version}}}}}};
}

// GET .../<collection>/{id}/history: every version of one item.
// `item` is the item's path when it is not .../<collection>/{id} under its
// tenant (a tenant, a user); `parameters` then are its path's.
void add_history(json::object& paths, json::object& schemas, const model::Aggregate& a,
                 json::object read_permissions, std::string id_description = {},
                 std::string item = {}, json::array parameters = {}) {
    const std::string title(a.title);
    const std::string who = spoken(a.name);
    schemas[title + "History"] = history_schema(a);
    if (item.empty()) {
        item = "/v1/tenants/{tenant_id}/" + std::string(a.collection) + "/{" +
               std::string(a.id_param) + "}";
    }
    const std::string path = item + "/history";
    auto op = secured(
        "get" + title + "History",
        "Every version of a " + who + ", with who recorded it, when, what it changed and why.",
        a.title, std::move(read_permissions));
    if (id_description.empty())
        id_description = "The " + who + " (" + std::string(a.table) + ".id).";
    json::array params = parameters.empty() ? json::array{parameter_ref("TenantId"),
                                                          path_id(a.id_param, id_description)}
                                            : std::move(parameters);
    add_operation(paths, path, "get", with_parameters(std::move(op), std::move(params)));
    json::object responses{{"200", json_answer("Its versions.", title + "History")}};
    add_problems(responses, {400, 401, 403, 404, 503});
    paths[path].as_object()["get"].as_object()["responses"] = std::move(responses);
}

}  // namespace

// GET .../<parent>/{<parent id>}/<collection>: the list under one reference.
void add_nested_list(json::object& paths, const model::Aggregate& a,
                     const model::NestedList& nested) {
    const auto* parent = model::find_aggregate(nested.parent);
    if (parent == nullptr) throw std::logic_error("unknown parent " + std::string(nested.parent));
    const std::string title(a.title);
    const std::string path = "/v1/tenants/{tenant_id}/" + std::string(parent->collection) + "/{" +
                             std::string(parent->id_param) + "}/" + std::string(a.collection);
    auto list = secured("list" + title + "sOf" + std::string(parent->title),
                        "List the " + spoken(a.table) + " of one " + spoken(parent->name) +
                            " (an unknown one has none).",
                        a.title, permissions(a.permissions.read));
    json::array params{parameter_ref("TenantId"),
                       path_id(parent->id_param, "The " + spoken(parent->name) + " (" +
                                                     std::string(parent->table) + ".id).")};
    for (auto& p : list_parameters(a)) params.push_back(p);
    add_operation(paths, path, "get", with_parameters(std::move(list), std::move(params)));
    paths[path].as_object()["get"].as_object()["responses"] =
        list_answers(title + "List", {400, 401, 403, 404, 503});
}

namespace {

// GET .../{id}/content of an aggregate created from a file: its bytes.
void add_content(json::object& paths, const model::Aggregate& a, const std::string& collection) {
    const std::string item = collection + "/{" + std::string(a.id_param) + "}";
    const auto header = [](std::string_view description) {
        return json::object{{"description", description}, {"schema", {{"type", "string"}}}};
    };
    json::object content;
    for (const auto& type : model::allowed_file_types()) {
        content[type.mime] = {
            {"schema", {{"type", "string"}, {"contentMediaType", std::string(type.mime)}}}};
    }
    const json::object headers{
        {"ETag", header("The SHA-256 of the whole file in hex, quoted.")},
        {"Content-Disposition", header("attachment; filename=\"<the name, made safe>\".")},
        {"Accept-Ranges", header("bytes")}};
    json::object partial_headers = headers;
    partial_headers["Content-Range"] = header("bytes <first>-<last>/<size>");
    json::object responses{
        {"200",
         {{"description", "The whole file, checked against its SHA-256 as it was read."},
          {"headers", headers},
          {"content", content}}},
        {"206",
         {{"description", "One byte range of the file (Range: bytes=<first>-<last>)."},
          {"headers", std::move(partial_headers)},
          {"content", content}}},
        {"304",
         {{"description", "Not modified (If-None-Match names the SHA-256)."},
          {"headers", {{"ETag", header("The SHA-256, quoted.")}}}}}};
    add_problems(responses, {400, 401, 403, 404, 416, 500, 503});
    auto op = secured("get" + std::string(a.title) + "Content",
                      "Download a " + spoken(a.name) + "'s file.", a.title,
                      permissions(a.permissions.read));
    op["description"] =
        "The stored bytes with their type, a Content-Disposition and an ETag from their "
        "SHA-256. Every read hashes the whole file and answers 500 (logged as corruption) when "
        "the bytes no longer match. Range: one byte range (206); a range outside the file is "
        "416; several ranges get the whole file. If-Range with the ETag is honoured.";
    json::array parameters{
        parameter_ref("TenantId"),
        path_id(a.id_param, "The " + spoken(a.name) + " (" + std::string(a.table) + ".id)."),
        {{"name", "Range"},
         {"in", "header"},
         {"description", "bytes=<first>-<last>, bytes=<first>- or bytes=-<suffix length>."},
         {"schema", {{"type", "string"}}}},
        {{"name", "If-Range"},
         {"in", "header"},
         {"description", "The ETag the client holds: the Range applies only if it is current."},
         {"schema", {{"type", "string"}}}},
        parameter_ref("IfNoneMatch")};
    add_operation(paths, item + "/content", "get",
                  with_parameters(std::move(op), std::move(parameters)));
    paths[item + "/content"].as_object()["get"].as_object()["responses"] = std::move(responses);
}

}  // namespace

json::object query_openapi(Aggregates aggregates) {
    auto doc = document({"query-service", 8082, kDescription});
    auto& paths = doc["paths"].as_object();
    auto& schemas = doc["components"].as_object()["schemas"].as_object();
    auto& tags = doc["tags"].as_array();
    tags.push_back(
        json::object{{"name", "operations"}, {"description", "Health, metrics, this document."}});
    for (const auto* a : {&model::kTenant, &model::kUser, &model::kMembership})
        tags.push_back(json::object{{"name", a->title}, {"description", a->doc}});
    tags.push_back(
        json::object{{"name", "AuditLog"}, {"description", "The tenant's audit trail."}});
    add_identity_reads(paths, schemas);
    add_history(paths, schemas, model::kTenant, audit_permissions(), {}, "/v1/tenants/{tenant_id}",
                {parameter_ref("TenantId")});
    auto own_account = permissions({});
    own_account["own_account"] = true;
    add_history(paths, schemas, model::kUser, std::move(own_account), {}, "/v1/users/{user_id}",
                {path_id(model::kUser.id_param, "The user (users.id).")});
    // Who held which role when: grants, role changes and revocations.
    add_history(paths, schemas, model::kMembership,
                permissions(auth::permitted_roles(TenantAction::read_members)),
                "The member's user (users.id).");
    for (const auto* a : {&model::kFeature, &model::kTenantFeature})
        tags.push_back(json::object{{"name", a->title}, {"description", a->doc}});
    add_feature_reads(paths, schemas);
    for (const auto* a : aggregates) {
        if (!a->tenant_data()) continue;
        tags.push_back(json::object{{"name", a->title}, {"description", a->doc}});
        add_schemas(schemas, *a);
        const auto read = permissions(a->permissions.read);
        const std::string collection = "/v1/tenants/{tenant_id}/" + std::string(a->collection);
        if (!a->totals.empty()) add_summary(paths, schemas, *a, collection);
        add_reads(paths, *a, collection, {parameter_ref("TenantId")}, read, read,
                  {400, 401, 403, 404, 503}, {400, 401, 403, 404, 503});
        for (const auto& nested : a->nested) add_nested_list(paths, *a, nested);
        add_history(paths, schemas, *a, read);
        if (a->upload != nullptr) add_content(paths, *a, collection);
    }
    add_wait_limits(paths);
    return doc;
}

}  // namespace cc::contracts
