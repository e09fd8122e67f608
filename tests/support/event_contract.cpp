#include "tests/support/event_contract.hpp"

#include <boost/json.hpp>

#include <filesystem>

#include "events/access.hpp"
#include "events/catalogue.hpp"

namespace cc::testing {

const SchemaSet& event_schemas() {
    static const SchemaSet schemas =
        SchemaSet::from_folder(std::filesystem::path(CC_SOURCE_DIR) / "events" / "schemas");
    return schemas;
}

std::vector<std::string> event_contract_violations(const events::Envelope& envelope) {
    std::vector<std::string> violations;
    const auto label = envelope.event_type + " v" + std::to_string(envelope.schema_version);
    const auto* info = events::find_event_type(envelope.event_type);
    if (events::access::find_type(envelope.event_type) != nullptr) {
        // An access fact: its type lives in events/access.cpp, not the catalogue.
        if (envelope.aggregate_type != events::access::kAggregateType) {
            violations.push_back(label + ": aggregate_type \"" + envelope.aggregate_type +
                                 "\", access facts are \"access\"");
        }
    } else if (info == nullptr) {
        violations.push_back(label + ": not in events/catalogue.cpp");
    } else if (info->aggregate_type != envelope.aggregate_type) {
        violations.push_back(label + ": aggregate_type \"" + envelope.aggregate_type +
                             "\", the catalogue says \"" + std::string(info->aggregate_type) +
                             "\"");
    }
    const auto payload_schema =
        envelope.event_type + ".v" + std::to_string(envelope.schema_version) + ".schema.json";
    try {
        const auto serialized = boost::json::parse(events::serialize(envelope));
        for (auto& violation : event_schemas().validate(serialized, "envelope.schema.json")) {
            violations.push_back(label + ": envelope.schema.json: " + violation);
        }
        if (!event_schemas().contains(payload_schema)) {
            violations.push_back(label + ": no payload schema events/schemas/" + payload_schema);
        } else {
            for (auto& violation :
                 event_schemas().validate(serialized.at("payload"), payload_schema)) {
                violations.push_back(label + ": " + payload_schema + ": " + violation);
            }
        }
    } catch (const SchemaError& error) {
        violations.push_back(label + ": the schemas cannot be read: " + error.what());
    }
    return violations;
}

}  // namespace cc::testing
