// Event payload schemas, one file per event type and schema version.
#include <stdexcept>

#include "events/access.hpp"
#include "events/audit_events.hpp"
#include "events/catalogue.hpp"
#include "model/contracts/contracts.hpp"
#include "model/contracts/describe.hpp"
#include "model/contracts/field_schema.hpp"

namespace cc::contracts {
namespace {

namespace json = boost::json;

constexpr std::string_view kEvolution =
    " Any change to this shape is a new schema_version with an upcaster; this file never "
    "changes meaning.";

json::object payload_schema(const model::Aggregate& a, std::string_view event_type, int version,
                            const std::string& what) {
    return {
        {"$schema", "https://json-schema.org/draft/2020-12/schema"},
        {"$id", schema_file_name(event_type, version)},
        {"$comment", kGenerated},
        {"title", std::string(event_type) + " payload (v" + std::to_string(version) + ")"},
        {"description", "Payload of " + std::string(event_type) + ", schema_version " +
                            std::to_string(version) + ". " + what + " Envelope: event_type \"" +
                            std::string(event_type) + "\", aggregate_type \"" +
                            std::string(a.name) + "\"; " + envelope_placement(a) +
                            std::string(kEvolution)},
        {"type", "object"},
    };
}

// Every key is always present: optional values are null, never absent.
void set_properties(json::object& schema, json::object properties) {
    json::array required;
    for (const auto& entry : properties) required.emplace_back(entry.key());
    if (!required.empty()) schema["required"] = std::move(required);
    schema["additionalProperties"] = false;
    schema["properties"] = std::move(properties);
}

const model::Field& field_of(const model::Aggregate& a, std::string_view name) {
    const auto* field = a.field(name);
    // A description naming a field it lacks is a programming error.
    if (field == nullptr)
        throw std::logic_error(std::string(a.name) + " has no field " + std::string(name));
    return *field;
}

json::object carried_properties(const model::Aggregate& a) {
    json::object properties;
    for (auto name : a.carried) properties[name] = stored_schema(a, field_of(a, name));
    return properties;
}

std::string carried_sentence(const model::Aggregate& a) {
    if (a.carried.empty()) return "";
    std::vector<std::string> names(a.carried.begin(), a.carried.end());
    return " It carries " + listed(names) + " so that a consumer needs no state to place it.";
}

json::object change_schema(const model::Aggregate& a, const model::Field& field, int version) {
    const std::string name(field.name);
    json::object change{{"type", "object"}};
    if (version == 1) {
        change["description"] =
            "The change of " + name + ": its value before (\"old\") and after (\"new\") the event.";
        change["required"] = json::array{"old", "new"};
    } else {
        change["description"] = "The change of " + name +
                                ": its value after the event (\"new\"); \"old\", when present "
                                "(version 1 events), is the value before.";
        change["required"] = json::array{"new"};
    }
    change["additionalProperties"] = false;
    change["properties"] = {{"old", stored_schema(a, field)}, {"new", stored_schema(a, field)}};
    return change;
}

// A patch may change client fields that are not fixed at creation.
bool changeable(const model::Field& field) {
    return field.set_by == model::Setter::client && !field.immutable;
}

std::string input_description(const model::Aggregate& a, const model::Field& input) {
    if (a.field(input.name) != nullptr) return field_description(a, input);
    std::string doc(input.doc);
    if (!doc.empty() && doc.back() != '.') doc += '.';
    return doc + (doc.empty() ? "" : " ") +
           "Not a column: it travels in the event and the audit row only.";
}

}  // namespace

std::string schema_file_name(std::string_view event_type, int schema_version) {
    return std::string(event_type) + ".v" + std::to_string(schema_version) + ".schema.json";
}

json::object created_schema(const model::Aggregate& a) {
    const std::string what =
        "A " + spoken(a.name) + " was created with every field of its " + std::string(a.table) +
        " row (absent values are null, absent booleans false). " + std::string(a.doc);
    auto schema = payload_schema(a, a.created, 1, what);
    json::object properties;
    for (const auto& field : a.fields) {
        auto property = stored_schema(a, field);
        if (field.set_by == model::Setter::lifecycle && !a.initial_state.empty())
            property["const"] = a.initial_state;
        properties[field.name] = std::move(property);
    }
    set_properties(schema, std::move(properties));
    return schema;
}

json::object updated_schema(const model::Aggregate& a, int version) {
    const std::string who = spoken(a.name);
    const std::string what =
        version == 1 ? "Some of a " + who +
                           "'s fields changed: each changed field with its value before "
                           "(\"old\") and after (\"new\")." +
                           carried_sentence(a)
                     : "Some of a " + who +
                           "'s fields changed: each changed field with its value after the "
                           "event (\"new\"); the projector reads the value before from the row "
                           "for the audit trail. Version 1 events, which carry \"old\" too, "
                           "read the same." +
                           carried_sentence(a);
    auto schema = payload_schema(a, a.updated, version, what);
    json::object changes{
        {"type", "object"},
        {"description", "Only the " + who +
                            " fields that changed; fields that did not change are absent and "
                            "at least one is present."},
        {"minProperties", 1},
        {"additionalProperties", false},
    };
    json::object changed;
    for (const auto& field : a.fields)
        if (changeable(field)) changed[field.name] = change_schema(a, field, version);
    changes["properties"] = std::move(changed);
    auto properties = carried_properties(a);
    properties["changes"] = std::move(changes);
    set_properties(schema, std::move(properties));
    return schema;
}

json::object deleted_schema(const model::Aggregate& a) {
    const std::string what =
        a.soft_delete
            ? "A " + spoken(a.name) + " was soft-deleted (" + std::string(a.table) +
                  ".deleted_at is set to occurred_at)." + carried_sentence(a)
            : "A " + spoken(a.name) + " was deleted: its " + std::string(a.table) +
                  " row, and the rows that refer to it, are removed." + carried_sentence(a);
    auto schema = payload_schema(a, a.deleted, 1, what);
    set_properties(schema, carried_properties(a));
    return schema;
}

json::object action_schema(const model::Aggregate& a, const model::Action& action) {
    std::string what = "The " + std::string(action.name) + " step of a " + spoken(a.name);
    if (!action.to.empty())
        what += ": its " + std::string(a.status) + " becomes \"" + std::string(action.to) + "\"";
    what += ".";
    if (!action.doc.empty()) what += " " + std::string(action.doc);
    auto schema = payload_schema(a, action.event, 1, what);
    json::object properties;
    for (const auto& input : action.inputs) {
        auto property = stored_schema(a, input);
        property["description"] = input_description(a, input);
        properties[input.name] = std::move(property);
    }
    if (!action.to.empty()) {
        auto status = stored_schema(a, field_of(a, a.status));
        status["const"] = action.to;
        properties[a.status] = std::move(status);
    }
    set_properties(schema, std::move(properties));
    return schema;
}

// AuditChainHeadRecorded: no aggregate describes it.
json::object chain_head_schema() {
    json::object schema{
        {"$schema", "https://json-schema.org/draft/2020-12/schema"},
        {"$id", schema_file_name(events::audit::kChainHeadRecorded, 1)},
        {"$comment", kGenerated},
        {"title", std::string(events::audit::kChainHeadRecorded) + " payload (v1)"},
        {"description",
         "Payload of AuditChainHeadRecorded, schema_version 1: the head of one chain of the "
         "audit trail (the audit_chain table) when the command service read it, so that a trail "
         "rewritten in the database alone no longer matches the log. Envelope: event_type "
         "\"AuditChainHeadRecorded\", aggregate_type \"audit_chain\"; tenant_id is the "
         "chain's tenant; aggregate_id a new id per head, at aggregate_version 1; actor null." +
             std::string(kEvolution)},
        {"type", "object"},
    };
    set_properties(
        schema,
        {{"stream",
          {{"type", "string"},
           {"maxLength", 100},
           {"description",
            "The chain: \"changes\" (the domain log), \"access\" (reads and refusals); the "
            "platform tenant's rows are chained per partition (\"changes.p3\")."}}},
         {"seq", {{"type", "integer"}, {"minimum", 1}, {"description", "The head link's seq."}}},
         {"row_hash",
          {{"type", "string"},
           {"pattern", "^[0-9a-f]{64}$"},
           {"description", "The head link's row_hash (lowercase hex SHA-256)."}}}});
    return schema;
}

json::object access_schema(const events::access::AccessType& type) {
    const auto uuid = [] {
        return json::object{{"type", "string"}, {"format", "uuid"}, {"pattern", kUuidPattern}};
    };
    const auto nullable = [](json::object schema, std::string description) {
        json::array types{schema.at("type"), "null"};
        schema["type"] = std::move(types);
        schema["description"] = std::move(description);
        return schema;
    };
    json::object schema{
        {"$schema", "https://json-schema.org/draft/2020-12/schema"},
        {"$id", schema_file_name(type.event_type, 1)},
        {"$comment", kGenerated},
        {"title", std::string(type.event_type) + " payload (v1)"},
        {"description",
         "Payload of " + std::string(type.event_type) + ", schema_version 1. " +
             std::string(type.summary) +
             " An access fact, on the access stream (not the domain log): envelope event_type "
             "\"" +
             std::string(type.event_type) +
             "\", aggregate_type \"access\", aggregate_id equal to event_id, "
             "aggregate_version 1; tenant_id is the tenant whose audit trail records it (the "
             "owner of what was read or asked for; the platform tenant when none); actor is the "
             "caller (null when not authenticated); request carries the ip, user agent and "
             "request id. The projector writes it to audit_logs with action \"" +
             std::string(type.action) + "\"." + std::string(kEvolution)},
        {"type", "object"},
    };
    auto ids = json::object{{"type", "array"}, {"items", uuid()}};
    ids["description"] =
        type.kind == events::access::Kind::search
            ? "The ids of every item on the page answered, in order (none for an empty page)."
            : "The id the request named, when it named one.";
    set_properties(
        schema,
        {{"entity_type",
          {{"type", "string"},
           {"minLength", 1},
           {"description",
            "The described aggregate read or asked for (\"patient\", \"appointment\", ...), or "
            "\"request\" for a refusal outside any."}}},
         {"entity_ids", std::move(ids)},
         {"method", {{"type", "string"}, {"description", "The HTTP method."}}},
         {"path", {{"type", "string"}, {"description", "The request path."}}},
         {"query",
          {{"type", "string"},
           {"description",
            "The query string as sent (\"\" for none), without any parameter whose name "
            "suggests a credential."}}},
         {"route", nullable({{"type", "string"}},
                            "The matched route's pattern; null when no route matched.")},
         {"status", {{"type", "integer"}, {"description", "The status answered."}}},
         {"reason",
          nullable({{"type", "string"}}, "A refusal's problem type slug (null for an answer).")},
         {"requested_tenant_id",
          nullable(uuid(),
                   "The tenant the path named, when the fact is filed under another tenant "
                   "(the owner of the id asked for) or under the platform tenant.")}});
    return schema;
}

std::vector<EventSchema> event_schemas() {
    std::vector<EventSchema> out;
    const auto add = [&out](std::string_view type, int version, json::object schema) {
        out.push_back({schema_file_name(type, version), std::move(schema)});
    };
    for (const auto& info : events::catalogue()) {
        if (info.event_type == events::audit::kChainHeadRecorded) {
            add(info.event_type, 1, chain_head_schema());
            continue;
        }
        const auto* a = model::find_aggregate(info.aggregate_type);
        if (a == nullptr)
            throw std::logic_error("no aggregate " + std::string(info.aggregate_type));
        if (info.event_type == a->created) {
            add(info.event_type, 1, created_schema(*a));
        } else if (info.event_type == a->updated) {
            for (int version = 1; version <= info.schema_version; ++version)
                add(info.event_type, version, updated_schema(*a, version));
        } else if (info.event_type == a->deleted) {
            add(info.event_type, 1, deleted_schema(*a));
        } else {
            for (const auto& action : a->actions)
                if (action.event == info.event_type)
                    add(info.event_type, 1, action_schema(*a, action));
        }
    }
    for (const auto& type : events::access::types()) add(type.event_type, 1, access_schema(type));
    return out;
}

}  // namespace cc::contracts
