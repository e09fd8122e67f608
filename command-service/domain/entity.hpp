#pragma once
// Steps every soft-deletable aggregate shares: build an event, patch with
// If-Match and a diff, soft-delete. Pure.
#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <span>
#include <string_view>

#include "command-service/domain/decision.hpp"
#include "model/description.hpp"
#include "platform/core/json.hpp"
#include "events/envelope.hpp"

namespace cc::domain {

PendingEvent event(std::string_view type, std::string_view aggregate, const Uuid& id,
                   std::int64_t version, const TenantId& tenant, boost::json::object payload);
Decision single(PendingEvent pending);
Decision unchanged(const Uuid& id, std::int64_t version);

// PATCH: 404 for a missing or deleted entity, 412 on a stale version, field
// validation, an extra check (uniqueness, references) on the validated
// patch, then one "<X>Updated" event with {"changes": {field: {old, new}}}
// or nothing when nothing changes.
Result<Decision> decide_patch(const EntityState* current, std::string_view what,
                              std::span<const model::Field> fields,
                              std::optional<std::int64_t> expected_version,
                              const json::Body& body, std::string_view event_type,
                              std::string_view aggregate, const Uuid& id, const TenantId& tenant,
                              const std::function<Status(const boost::json::object&)>& check);

Result<Decision> decide_delete(const EntityState* current, std::string_view what,
                               std::optional<std::int64_t> expected_version,
                               std::string_view event_type, std::string_view aggregate,
                               const Uuid& id, const TenantId& tenant);

// The "changes" object of an "<X>Updated" event (empty when absent).
const boost::json::object& changes_of(const events::Envelope& event);

// Folds the three lifecycle events of an entity into its state.
void fold_entity(EntityState& state, const events::Envelope& event, std::string_view created,
                 std::string_view updated, std::string_view deleted);

}  // namespace cc::domain
