#include "projector/projection/projection.hpp"

#include <array>

#include "events/access.hpp"
#include "events/audit_events.hpp"
#include "events/catalogue.hpp"
#include "projector/aggregate/aggregate_projection.hpp"
#include "projector/identity/identity_projection.hpp"

namespace cc::projection {
namespace {
// Memberships have a projection of their own (a grant revives a revoked
// row); every other aggregate is projected from its description.
constexpr std::array<AggregateProjection, 2> kProjections{identity::project, aggregate::project};
}  // namespace

Result<std::vector<Statement>> project(const events::Envelope& event) {
    const auto* info = events::find_event_type(event.event_type);
    if (info == nullptr) {
        return Error::make(ErrorKind::malformed, "unknown-event-type",
                           "unknown event type " + event.event_type);
    }
    if (event.schema_version > info->schema_version) {
        return Error::make(ErrorKind::malformed, "unknown-schema-version",
                           event.event_type + " schema_version " +
                               std::to_string(event.schema_version) +
                               " is newer than this projector");
    }
    // A fact with no table of its own: its audit row alone.
    if (event.event_type == events::audit::kChainHeadRecorded) {
        return std::vector<Statement>{audit_row(event, creation_changes(event.payload))};
    }
    for (auto projection : kProjections) {
        auto projected = projection(event);
        if (!projected) continue;
        if (!*projected) return std::move(*projected).error();
        auto& p = **projected;
        std::vector<Statement> statements;
        if (p.old_values_from != nullptr) {
            statements.push_back(audit_row_from(event, p.changes, *p.old_values_from));
        }
        for (auto& statement : p.statements) statements.push_back(std::move(statement));
        statements.push_back(version_row(event));
        if (p.old_values_from == nullptr) statements.push_back(audit_row(event, p.changes));
        return statements;
    }
    return Error::make(ErrorKind::malformed, "unknown-event-type",
                       "no projection handles " + event.event_type);
}

Result<std::vector<Statement>> project_access(const events::Envelope& event) {
    const auto* type = events::access::find_type(event.event_type);
    if (type == nullptr || event.aggregate_type != events::access::kAggregateType) {
        return Error::make(ErrorKind::malformed, "unknown-event-type",
                           "the access stream carries no " + event.event_type);
    }
    if (event.schema_version > 1) {
        return Error::make(ErrorKind::malformed, "unknown-schema-version",
                           event.event_type + " schema_version " +
                               std::to_string(event.schema_version) +
                               " is newer than this projector");
    }
    auto payload = events::access::read_payload(event);
    if (!payload) return std::move(payload).error();
    // One entity: its id in entity_id, where an item's history finds it.
    std::optional<std::string> entity_id;
    if (payload->entity_ids.size() == 1) entity_id = payload->entity_ids.front();
    return std::vector<Statement>{access_audit_row(event, type->action, payload->entity_type,
                                                   std::move(entity_id),
                                                   std::move(payload->details))};
}

}  // namespace cc::projection
