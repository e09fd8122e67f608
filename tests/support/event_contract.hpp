#pragma once
// Events held to the contract consumers read them by: the envelope schema
// and the payload schema their type and version name (events/schemas/).
#include <string>
#include <vector>

#include "events/envelope.hpp"
#include "tests/support/json_schema.hpp"

namespace cc::testing {

// events/schemas/ of this source tree, loaded once.
const SchemaSet& event_schemas();

// How `envelope`, as events::serialize writes it, breaks the contract: one
// line per violation, each naming the event type and the schema file; empty
// when it conforms. The envelope must match envelope.schema.json, its payload
// <event_type>.v<schema_version>.schema.json, and its aggregate_type the one
// events/catalogue.cpp gives the type ("access" for the access facts of
// events/access.hpp).
std::vector<std::string> event_contract_violations(const events::Envelope& envelope);

}  // namespace cc::testing
