#pragma once
// From one event to the SQL that applies it: the aggregate's own rows, its
// entity_versions row and its audit_logs row.
#include <optional>
#include <vector>

#include "projector/projection/sql.hpp"

namespace cc::projection {

// What an aggregate's projection yields for one event it knows.
struct Projected {
    std::vector<Statement> statements;
    boost::json::object changes;  // for the audit row's details
    // When the event carries only new values: the table whose row, read
    // before the statements run, gives the audit row its old values (its
    // spec, so that renamed columns are read under their payload keys).
    const TableSpec* old_values_from = nullptr;
};

// Each aggregate folder provides one of these; nullopt means "not mine".
using AggregateProjection = std::optional<Result<Projected>> (*)(const events::Envelope&);

// All statements for the event, in order; an error (unknown type, bad
// payload) sends the event to the dead-letter table.
Result<std::vector<Statement>> project(const events::Envelope& event);
// An access fact (events/access.hpp) from the access stream: its audit row
// alone. Anything else on that stream is an error (a dead letter).
Result<std::vector<Statement>> project_access(const events::Envelope& event);

}  // namespace cc::projection
