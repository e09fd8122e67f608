#pragma once
// The three lifecycle events of a soft-deletable entity, as projections.
#include "projector/projection/projection.hpp"

namespace cc::projection {

// INSERT the payload's columns; tenant-scoped rows also get tenant_id from the envelope.
Result<Projected> created(const TableSpec& spec, const events::Envelope& event, bool tenant_scoped);
// UPDATE the columns in payload.changes, within the event's tenant when tenant-scoped.
Result<Projected> updated(const TableSpec& spec, const events::Envelope& event, bool tenant_scoped);
// Soft delete.
Result<Projected> deleted(const TableSpec& spec, const events::Envelope& event, bool tenant_scoped);

}  // namespace cc::projection
