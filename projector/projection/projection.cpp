#include "projector/projection/projection.hpp"

#include <array>

#include "events/catalogue.hpp"
#include "projector/care/care_projection.hpp"
#include "projector/identity/identity_projection.hpp"

namespace cc::projection {
namespace {
// Adding an aggregate adds its projection here.
constexpr std::array<AggregateProjection, 2> kProjections{identity::project, care::project};
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
    for (auto projection : kProjections) {
        auto projected = projection(event);
        if (!projected) continue;
        if (!*projected) return std::move(*projected).error();
        auto statements = std::move((*projected)->statements);
        statements.push_back(version_row(event));
        statements.push_back(audit_row(event, (*projected)->changes));
        return statements;
    }
    return Error::make(ErrorKind::malformed, "unknown-event-type",
                       "no projection handles " + event.event_type);
}

}  // namespace cc::projection
