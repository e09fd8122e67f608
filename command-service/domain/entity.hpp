#pragma once
// What every decider and fold shares: build an event, read an updated
// event's changes, fold an entity with every field (the write-model
// benchmark's "before"). Pure.
#include <boost/json/object.hpp>

#include <optional>
#include <span>
#include <string_view>

#include "command-service/domain/decision.hpp"
#include "events/envelope.hpp"
#include "model/description.hpp"
#include "platform/core/json.hpp"

namespace cc::domain {

PendingEvent event(std::string_view type, std::string_view aggregate, const Uuid& id,
                   std::int64_t version, const TenantId& tenant, boost::json::object payload);
Decision single(PendingEvent pending);
Decision unchanged(const Uuid& id, std::int64_t version);

// The "changes" object of an "<X>Updated" event (empty when absent).
const boost::json::object& changes_of(const events::Envelope& event);

// Folds the three lifecycle events of an entity into its state.
void fold_entity(EntityState& state, const events::Envelope& event, std::string_view created,
                 std::string_view updated, std::string_view deleted);

}  // namespace cc::domain
