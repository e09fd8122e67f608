// The AsyncAPI 3.0.0 document of the event topic: the prose that explains
// keys, partitions and evolution (kept here, beside the code that makes it
// true), then one message per event type of the catalogue.
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

constexpr std::string_view kKafkaBindingVersion = "0.5.0";
constexpr std::string_view kChannel = "events";
constexpr std::string_view kAccessChannel = "access";

std::string names_in(model::Scope scope) {
    std::vector<std::string> names;
    for (const auto* a : model::aggregates())
        if (a->scope == scope) names.emplace_back(a->name);
    return listed(names);
}

std::string first_created_in(model::Scope scope) {
    for (const auto* a : model::aggregates())
        if (a->scope == scope) return std::string(a->created);
    return "";
}

std::string description() {
    return R"(The event log of the ComplexCare backend: the source of truth from which
every PostgreSQL projection is built. Analytics consumers may read it with
any Kafka client; this document and the JSON Schemas it references
(`events/schemas/`) are the contract for what they read. Both are generated
from the aggregate descriptions in `model/` by `scripts/generate-contracts`
(only `schemas/envelope.schema.json` is kept by hand).

## Records
* **Value**: one event envelope as UTF-8 JSON
  (`schemas/envelope.schema.json`). Its `payload` is described by
  `schemas/<event_type>.v<schema_version>.schema.json`.
* **Key**: a UUID as text (lower-case, 8-4-4-4-12): the envelope's
  `tenant_id`, unless that is the reserved platform tenant
  `00000000-0000-0000-0000-000000000000`, in which case the envelope's
  `aggregate_id`.
  * Tenant-scoped events (the
    )" + names_in(model::Scope::tenant) +
           R"( aggregates): the envelope's `tenant_id`,
    so each tenant's history is totally ordered in one partition.
  * The )" +
           names_in(model::Scope::own) +
           R"( aggregate is filed under the tenant itself: its envelope
    `tenant_id` equals its `aggregate_id` (the tenant's id), which is
    therefore the key. Because a tenant's id is also the key of that
    tenant's scoped events, `)" +
           first_created_in(model::Scope::own) + R"(` always precedes them in the
    same partition.
  * The platform-level )" +
           names_in(model::Scope::platform) +
           R"( aggregate: its envelope `tenant_id` is the
    reserved platform tenant, so the key is the envelope's `aggregate_id`
    (the user's id). A user's events live in the partition of the user id,
    so a membership may reference a user whose events are on another
    partition (a projector waits for the user, it never drops the
    reference).
* **Headers** (so a consumer can filter without parsing JSON): `event_type`,
  `tenant_id` and `schema_version`, each UTF-8 text equal to the envelope
  field of the same name (`schema_version` as a decimal integer).

## Partitioning and ordering
The producer chooses the partition itself, not Kafka's default partitioner:
partition = FNV-1a 32-bit hash of the key bytes (offset basis 2166136261,
prime 16777619) modulo the partition count. The PostgreSQL log backend uses
the same function, so a log exported from one imports into the other
unchanged. Ordering is guaranteed per partition only; within an aggregate,
`aggregate_version` increases 1, 2, 3... without gaps. The partition count
is configuration (`CC_LOG_PARTITIONS`, 8 in `compose/`) and must not change
once events exist. The command service is the only writer: it uses a
transactional, idempotent producer (`acks=all`), so consumers should read
with `isolation.level=read_committed`. The command API's position token is
`<partition>:<offset>` of a record in this topic.

## Retention
The log is kept forever (`retention.ms=-1`, `retention.bytes=-1`): any
projection can be rebuilt by replaying from offset 0.

## Schema evolution
Events are immutable and never rewritten. A change to a payload's shape is a
new `schema_version` of that `event_type` (a new schema file
`<event_type>.v<N>.schema.json`) plus an upcaster in `events/` that turns
older versions into the newest one, so old events stay readable forever.
Additive changes are versioned too (payload schemas set
`additionalProperties: false`). A consumer that meets an `event_type` or
`schema_version` it does not know must not skip it silently. A message
below accepts every `schema_version` still in the log; the schema files of
older versions stay beside the newest one.

The referenced schema files are JSON Schema draft 2020-12 and use only
keywords that draft-07 tools understand as well.
)";
}

json::object uuid_type() {
    return {{"type", "string"}, {"format", "uuid"}, {"pattern", kUuidPattern}};
}

json::object components_schemas() {
    return {
        {"Envelope", {{"$ref", "./schemas/envelope.schema.json"}}},
        {"Uuid", uuid_type()},
        {"EventHeaders",
         {{"type", "object"},
          {"description",
           "Kafka record headers, UTF-8 text, equal to the envelope fields of the same name."},
          {"required", {"event_type", "tenant_id", "schema_version"}},
          {"properties",
           {{"event_type", {{"type", "string"}, {"description", "The envelope's event_type."}}},
            {"tenant_id", {{"$ref", "#/components/schemas/Uuid"}}},
            {"schema_version",
             {{"type", "string"},
              {"pattern", "^[1-9][0-9]*$"},
              {"description", "The envelope's schema_version as decimal text."}}}}}}},
        {"PlatformTenantId",
         {{"type", "string"},
          {"const", kPlatformTenant},
          {"description",
           "The reserved platform tenant, for events outside any customer tenant."}}},
    };
}

json::object keyed_trait(std::string_view key_description) {
    auto key = uuid_type();
    key["description"] = key_description;
    return {
        {"contentType", "application/json"},
        {"correlationId",
         {{"description", "The envelope's correlation_id (null when not set)."},
          {"location", "$message.payload#/correlation_id"}}},
        {"bindings",
         {{"kafka", {{"key", std::move(key)}, {"bindingVersion", kKafkaBindingVersion}}}}},
    };
}

std::string_view trait_of(const model::Aggregate& a) {
    return a.scope == model::Scope::platform ? "PlatformKeyed" : "TenantKeyed";
}

std::string summary_of(const model::Aggregate& a, const events::EventTypeInfo& info) {
    const std::string who = spoken(a.name);
    if (info.event_type == a.created)
        return "A " + who + " was created (aggregate_type " + std::string(a.name) + ", a " +
               std::string(a.table) + " row).";
    if (info.event_type == a.updated)
        return "Some of a " + who + "'s fields changed (" +
               (info.schema_version == 1 ? "old and new value" : "the new value") +
               " per changed field).";
    if (info.event_type == a.deleted)
        return "A " + who + (a.soft_delete ? " was soft-deleted." : " was deleted.");
    for (const auto& action : a.actions) {
        if (action.event != info.event_type) continue;
        std::string out = "The " + std::string(action.name) + " step of a " + who;
        if (!action.to.empty()) out += " (now " + std::string(action.to) + ")";
        return out + ".";
    }
    return "";
}

// The versions a consumer may meet: every one since the first.
json::object version_schema(int newest, bool as_text) {
    if (newest == 1) return {{"const", as_text ? json::value("1") : json::value(1)}};
    json::array versions;
    for (int v = 1; v <= newest; ++v)
        versions.push_back(as_text ? json::value(std::to_string(v)) : json::value(v));
    return {{"enum", std::move(versions)}};
}

json::object message(const model::Aggregate& a, const events::EventTypeInfo& info) {
    const std::string type(info.event_type);
    json::object header_props{{"event_type", {{"const", type}}},
                              {"schema_version", version_schema(info.schema_version, true)}};
    json::object payload_props{{"event_type", {{"const", type}}},
                               {"schema_version", version_schema(info.schema_version, false)},
                               {"aggregate_type", {{"const", a.name}}}};
    if (a.scope == model::Scope::platform) {
        header_props["tenant_id"] = {{"$ref", "#/components/schemas/PlatformTenantId"}};
        payload_props["tenant_id"] = {{"$ref", "#/components/schemas/PlatformTenantId"}};
    } else if (a.scope == model::Scope::own) {
        header_props["tenant_id"] = {{"description", "Equal to the envelope tenant_id: the " +
                                                         spoken(a.name) +
                                                         "'s own id (also the record key)."}};
        payload_props["tenant_id"] = {
            {"description", "Equal to aggregate_id: " + envelope_placement(a)}};
    }
    payload_props["payload"] = {
        {"$ref", "./schemas/" + schema_file_name(info.event_type, info.schema_version)}};
    return {
        {"name", type},
        {"title", sentence_case(type)},
        {"summary", summary_of(a, info)},
        {"tags", {{{"name", a.name}}}},
        {"traits", {{{"$ref", "#/components/messageTraits/" + std::string(trait_of(a))}}}},
        {"headers",
         {{"allOf",
           {{{"$ref", "#/components/schemas/EventHeaders"}},
            {{"type", "object"}, {"properties", std::move(header_props)}}}}}},
        {"payload",
         {{"allOf",
           {{{"$ref", "#/components/schemas/Envelope"}},
            {{"type", "object"}, {"properties", std::move(payload_props)}}}}}},
    };
}

// AuditChainHeadRecorded, which no aggregate describes.
json::object chain_head_message(const events::EventTypeInfo& info) {
    const std::string type(info.event_type);
    return {
        {"name", type},
        {"title", sentence_case(type)},
        {"summary",
         "The head (seq, row_hash) of one chain of the audit trail, published by the command "
         "service from time to time (CC_CHAIN_HEAD_INTERVAL), so that `complexcare audit verify "
         "--against-log` finds a trail rewritten in the database alone. Keyed like any event "
         "of its tenant_id (the platform tenant's by its aggregate_id)."},
        {"tags", {{{"name", info.aggregate_type}}}},
        {"traits", {{{"$ref", "#/components/messageTraits/TenantKeyed"}}}},
        {"headers",
         {{"allOf",
           {{{"$ref", "#/components/schemas/EventHeaders"}},
            {{"type", "object"},
             {"properties",
              {{"event_type", {{"const", type}}},
               {"schema_version", version_schema(info.schema_version, true)}}}}}}}},
        {"payload",
         {{"allOf",
           {{{"$ref", "#/components/schemas/Envelope"}},
            {{"type", "object"},
             {"properties",
              {{"event_type", {{"const", type}}},
               {"schema_version", version_schema(info.schema_version, false)},
               {"aggregate_type", {{"const", info.aggregate_type}}},
               {"aggregate_version", {{"const", 1}}},
               {"payload",
                {{"$ref",
                  "./schemas/" + schema_file_name(info.event_type, info.schema_version)}}}}}}}}}},
    };
}

const model::Aggregate& aggregate_of(const events::EventTypeInfo& info) {
    const auto* a = model::find_aggregate(info.aggregate_type);
    if (a == nullptr) throw std::logic_error("no aggregate " + std::string(info.aggregate_type));
    return *a;
}

json::array tags() {
    json::array out;
    for (const auto* a : model::aggregates())
        out.push_back(json::object{{"name", a->name}, {"description", a->doc}});
    out.push_back(json::object{
        {"name", events::audit::kChainAggregate},
        {"description", "The audit trail's hash chain (published heads); no table of its own."}});
    out.push_back(json::object{{"name", events::access::kAggregateType},
                               {"description",
                                "Access facts: reads of patient-identifiable records and "
                                "refused requests (the access channel)."}});
    return out;
}

json::object channel(const json::object& message_refs) {
    return {
        {"address", "complexcare.events"},
        {"title", "ComplexCare events"},
        {"description",
         "Every ComplexCare event (topic name configurable with `CC_KAFKA_TOPIC`, default "
         "`complexcare.events`). Created up front (broker auto-creation is off) with the "
         "partition count the services are configured with."},
        {"servers", {{{"$ref", "#/servers/compose"}}}},
        {"messages", message_refs},
        {"bindings",
         {{"kafka",
           {{"topic", "complexcare.events"},
            {"partitions", 8},
            {"replicas", 1},
            {"topicConfiguration",
             {{"cleanup.policy", {"delete"}}, {"retention.ms", -1}, {"retention.bytes", -1}}},
            {"bindingVersion", kKafkaBindingVersion}}}}},
    };
}

json::object access_message(const events::access::AccessType& type) {
    const std::string name(type.event_type);
    return {
        {"name", name},
        {"title", sentence_case(name)},
        {"summary", type.summary},
        {"tags", {{{"name", events::access::kAggregateType}}}},
        {"traits", {{{"$ref", "#/components/messageTraits/TenantKeyed"}}}},
        {"headers",
         {{"allOf",
           {{{"$ref", "#/components/schemas/EventHeaders"}},
            {{"type", "object"},
             {"properties",
              {{"event_type", {{"const", name}}}, {"schema_version", {{"const", "1"}}}}}}}}}},
        {"payload",
         {{"allOf",
           {{{"$ref", "#/components/schemas/Envelope"}},
            {{"type", "object"},
             {"properties",
              {{"event_type", {{"const", name}}},
               {"schema_version", {{"const", 1}}},
               {"aggregate_type", {{"const", events::access::kAggregateType}}},
               {"aggregate_version", {{"const", 1}}},
               {"payload", {{"$ref", "./schemas/" + schema_file_name(name, 1)}}}}}}}}}},
    };
}

json::object access_channel(const json::object& message_refs) {
    return {
        {"address", "complexcare.events.access"},
        {"title", "ComplexCare access facts"},
        {"description",
         "Who read or was refused which patient-identifiable records: the topic of the event "
         "topic's name with `.access` appended (`complexcare.events.access` by default); on "
         "the PostgreSQL log, the table `access_log`. Same keys (the envelope's tenant_id), "
         "partitioning and retention as the event topic. Unlike it, it has no single writer: "
         "every query-service instance appends with an idempotent producer (`acks=all`, no "
         "transactions), in batches, and answers a read only once its record is durable. "
         "Access facts are not domain events: nothing is decided from them, and the projector "
         "writes each to audit_logs (action view, search or denied)."},
        {"servers", {{{"$ref", "#/servers/compose"}}}},
        {"messages", message_refs},
        {"bindings",
         {{"kafka",
           {{"topic", "complexcare.events.access"},
            {"partitions", 8},
            {"replicas", 1},
            {"topicConfiguration",
             {{"cleanup.policy", {"delete"}}, {"retention.ms", -1}, {"retention.bytes", -1}}},
            {"bindingVersion", kKafkaBindingVersion}}}}},
    };
}

json::object receive_operation(const json::array& operation_refs) {
    return {
        {"action", "receive"},
        {"channel", {{"$ref", "#/channels/" + std::string(kChannel)}}},
        {"title", "Consume ComplexCare events"},
        {"summary",
         "Read ComplexCare events (published by command-service, consumed by projector and "
         "analytics)."},
        {"bindings",
         {{"kafka",
           {{"clientId", {{"type", "string"}}},
            {"groupId",
             {{"type", "string"},
              {"description",
               "Each independent consumer uses its own group (the projector uses its own)."}}},
            {"bindingVersion", kKafkaBindingVersion}}}}},
        {"messages", operation_refs},
    };
}

}  // namespace

json::object asyncapi() {
    json::object messages;
    json::object channel_messages;
    json::array operation_refs;
    for (const auto& info : events::catalogue()) {
        const std::string type(info.event_type);
        messages[type] = info.event_type == events::audit::kChainHeadRecorded
                             ? chain_head_message(info)
                             : message(aggregate_of(info), info);
        channel_messages[type] = {{"$ref", "#/components/messages/" + type}};
        operation_refs.push_back(
            json::object{{"$ref", "#/channels/" + std::string(kChannel) + "/messages/" + type}});
    }
    json::object access_messages;
    json::array access_refs;
    for (const auto& type : events::access::types()) {
        const std::string name(type.event_type);
        messages[name] = access_message(type);
        access_messages[name] = {{"$ref", "#/components/messages/" + name}};
        access_refs.push_back(json::object{
            {"$ref", "#/channels/" + std::string(kAccessChannel) + "/messages/" + name}});
    }
    auto consume_access = receive_operation(access_refs);
    consume_access["channel"] = {{"$ref", "#/channels/" + std::string(kAccessChannel)}};
    consume_access["title"] = "Consume access facts";
    consume_access["summary"] =
        "Read access facts (published by query-service, consumed by projector).";
    return {
        {"asyncapi", "3.0.0"},
        {"id", "urn:complexcare:events"},
        {"info",
         {{"title", "ComplexCare event log"},
          {"version", "2.0.0"},
          {"description", description()},
          {"license", {{"name", "Proprietary"}}},
          {"tags", tags()}}},
        {"defaultContentType", "application/json"},
        {"servers",
         {{"compose",
           {{"host", "kafka:9092"},
            {"protocol", "kafka"},
            {"protocolVersion", "3.7.0"},
            {"description",
             "The single-node KRaft broker of `compose/docker-compose.yml` (from the host, "
             "localhost:9094)."}}}}},
        {"channels",
         {{kChannel, channel(channel_messages)},
          {kAccessChannel, access_channel(access_messages)}}},
        {"operations",
         {{"consumeEvents", receive_operation(operation_refs)},
          {"consumeAccessFacts", std::move(consume_access)}}},
        {"components",
         {{"schemas", components_schemas()},
          {"messageTraits",
           {{"PlatformKeyed",
             keyed_trait("The envelope's aggregate_id (the user's id); used for events whose "
                         "tenant_id is the platform tenant.")},
            {"TenantKeyed",
             keyed_trait("The envelope's tenant_id (for the tenant aggregate this equals "
                         "aggregate_id, the tenant's own id).")}}},
          {"messages", std::move(messages)}}},
    };
}

}  // namespace cc::contracts
