#include "events/catalogue.hpp"

#include <vector>

#include "events/audit_events.hpp"
#include "model/description.hpp"

namespace cc::events {
namespace {

// Derived from the aggregate descriptions: an event type exists because an
// aggregate's lifecycle names it.
std::vector<EventTypeInfo> build() {
    std::vector<EventTypeInfo> out;
    for (const auto* aggregate : model::aggregates()) {
        out.push_back({aggregate->created, aggregate->name, 1});
        out.push_back({aggregate->updated, aggregate->name, aggregate->updated_version});
        if (!aggregate->deleted.empty()) out.push_back({aggregate->deleted, aggregate->name, 1});
        for (const auto& action : aggregate->actions) {
            out.push_back({action.event, aggregate->name, 1});
        }
    }
    // And those the command service records on its own.
    out.push_back({audit::kChainHeadRecorded, audit::kChainAggregate, 1});
    return out;
}

const std::vector<EventTypeInfo>& all() {
    static const std::vector<EventTypeInfo> catalogue = build();
    return catalogue;
}

}  // namespace

std::span<const EventTypeInfo> catalogue() {
    return all();
}

const EventTypeInfo* find_event_type(std::string_view event_type) {
    for (const auto& info : all())
        if (info.event_type == event_type) return &info;
    return nullptr;
}

}  // namespace cc::events
