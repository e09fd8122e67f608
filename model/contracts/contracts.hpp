#pragma once
// The published contracts, generated from the aggregate descriptions
// (model/) so that they cannot drift from what the services do: a JSON
// Schema per event payload, the AsyncAPI document of the topic, the OpenAPI
// documents of both HTTP services and the README's permission table.
// `complexcare-contracts` writes them; the test `contracts_up_to_date`
// fails when the committed files differ; the services serve their OpenAPI
// document from this library, so it is the committed file byte for byte.
// Pure: no Beast, Kafka or libpqxx.
#include <boost/json/object.hpp>

#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/access.hpp"
#include "model/description.hpp"
#include "platform/core/result.hpp"

namespace cc::contracts {

using Aggregates = std::span<const model::Aggregate* const>;

// --- Event payload schemas (events/schemas/<Type>.v<N>.schema.json) ---
std::string schema_file_name(std::string_view event_type, int schema_version);
boost::json::object created_schema(const model::Aggregate& aggregate);
// schema_version 1 carries "old" and "new" per change; 2 only "new".
boost::json::object updated_schema(const model::Aggregate& aggregate, int schema_version);
boost::json::object deleted_schema(const model::Aggregate& aggregate);
boost::json::object action_schema(const model::Aggregate& aggregate, const model::Action& action);

// The access stream's payloads (events/access.hpp).
boost::json::object access_schema(const events::access::AccessType& type);

struct EventSchema {
    std::string file_name;
    boost::json::object schema;
};
// One per event type of events::catalogue() at its current version, plus
// the older versions of updated events (old events stay in the log forever).
std::vector<EventSchema> event_schemas();

// --- AsyncAPI 3.0.0 of the topic (events/asyncapi.yaml) ---
boost::json::object asyncapi();

// --- OpenAPI 3.1.0 (openapi/command-service.json, openapi/query-service.json) ---
boost::json::object command_openapi(Aggregates aggregates);
boost::json::object query_openapi(Aggregates aggregates);
// The documents as committed and served (for model::aggregates()).
const std::string& command_openapi_text();
const std::string& query_openapi_text();
// "METHOD /template" of each served route that the document lacks, so a
// service can refuse to start with a route its contract does not publish.
std::vector<std::string> undocumented_routes(
    const boost::json::object& openapi,
    std::span<const std::pair<std::string, std::string>> routes);

// The names of the query parameters the operation `method` (any case)
// `pattern` declares, its components' $refs resolved; empty when it
// declares none or does not exist.
std::set<std::string> query_parameters(const boost::json::object& openapi, std::string_view method,
                                       const std::string& pattern);

// --- README permission table ---
// Rows of platform/auth's matrix (the identity core), then read, create,
// update, delete and each action of every aggregate on the generic routes.
std::string permissions_table(Aggregates aggregates);
inline constexpr std::string_view kPermissionsBegin = "<!-- generated:permissions -->";
inline constexpr std::string_view kPermissionsEnd = "<!-- /generated:permissions -->";
// `readme` with the text between the markers replaced by `table`.
Result<std::string> splice_permissions(std::string_view readme, std::string_view table);

// --- Every generated file ---
struct File {
    std::string path;  // relative to the repository root
    std::string content;
};
// `readme` is the current README.md, whose generated section is replaced.
Result<std::vector<File>> generate(std::string_view readme);
// Folders whose every file is generated, but for the hand-kept ones named.
struct OwnedFolder {
    std::string_view path;
    std::span<const std::string_view> hand_kept;
};
std::span<const OwnedFolder> owned_folders();

}  // namespace cc::contracts
