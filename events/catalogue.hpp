#pragma once
// Every event type the product writes, with the schema version producers
// write today. A consumer meeting a type or version it does not know parks
// the event (projector: dead_letters) instead of guessing.
#include <span>
#include <string_view>

namespace cc::events {

struct EventTypeInfo {
    std::string_view event_type;
    std::string_view aggregate_type;
    int schema_version;
};

std::span<const EventTypeInfo> catalogue();
const EventTypeInfo* find_event_type(std::string_view event_type);

}  // namespace cc::events
