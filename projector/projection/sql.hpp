#pragma once
// Projection SQL as values: a projection turns an event into statements, and
// the projector runtime executes them, a batch's statements of one shape
// together (batch.hpp). Pure: no libpqxx here, so projections are
// unit-tested without a database.
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "events/envelope.hpp"
#include "platform/core/result.hpp"
#include "platform/pg/statement.hpp"

namespace cc::projection {

// One row of a set-based statement: `sql` takes each parameter as an array
// ($1::uuid[], ...) and unnest()s them into rows `v`; `row` is this
// statement's element of each array. Statements with the same `sql` are
// applied as one, each giving its row.
struct Statement {
    std::string sql;
    std::vector<std::optional<std::string>> row;  // nullopt is NULL
    // Keys (row_key) of the rows it changes, and of the rows it needs as
    // the batch's earlier events left them (the rows its foreign keys name,
    // the row an audit row reads its old values from): what orders it
    // against the other statements of a batch.
    std::vector<std::uint64_t> writes;
    std::vector<std::uint64_t> reads;
    // Set when a later statement with the same value makes this one moot
    // (an upsert whose last value stands): a batch runs only the last.
    std::string last_wins;
    // Set on a statement that writes an audit_logs row: the runtime chains
    // the row (audit_chain) once the statements it runs with have run.
    struct Audit {
        std::string id;         // the audit_logs row's id
        std::string stream;     // the chain it joins: audit::kChangesStream, or kAccessStream
        std::string tenant_id;  // the row's tenant, whose chain of `stream` it joins
        // Its details' "old" values are read from the aggregate's row in SQL,
        // so the event alone does not give them.
        bool old_values_from_row = false;
    };
    std::optional<Audit> audit;
};

// The key of a row in Statement::writes and reads: a hash of its table and
// id. Two rows may rarely share one, which only orders their statements as
// if they were one row.
std::uint64_t row_key(std::string_view table, std::string_view id);

// A payload key written to a column of another name: a policy's
// policy_version is the documented policies.version.
struct Renamed {
    std::string_view key;
    std::string_view column;
};

// A column whose value names a row of another table (a foreign key).
struct Reference {
    std::string_view key;    // the payload key
    std::string_view table;  // the table of the row it names
};

// How a table's rows are written from events. `columns` are the payload
// keys an event may set, each its column unless `renamed` says otherwise;
// anything else in a payload is refused, and column names reach SQL only
// from these lists. `references` are its foreign keys: a batch writes the
// rows they name before the rows that name them.
struct TableSpec {
    std::string_view table;
    std::span<const std::string_view> columns;
    std::span<const Renamed> renamed = {};
    std::span<const Reference> references = {};
};

// The column a payload key is written to.
std::string_view column_of(const TableSpec& spec, std::string_view key);

// INSERT a row with id = aggregate id, the payload's columns, created_at = updated_at =
// occurred_at.
Result<Statement> insert_row(const TableSpec& spec, const events::Envelope& event,
                             const boost::json::object& values);
// UPDATE the changed columns ({"col": {"old", "new"}}) of the aggregate's row.
Result<Statement> update_row(const TableSpec& spec, const events::Envelope& event,
                             const boost::json::object& changes, bool tenant_scoped);
// Soft delete: deleted_at = updated_at = occurred_at.
Statement soft_delete_row(const TableSpec& spec, const events::Envelope& event, bool tenant_scoped);
// DELETE FROM table WHERE column = id: rows of tables without deleted_at.
// `removes` is the key of the row whose removal this is part of.
Statement delete_rows(std::string_view table, std::string_view column, const Uuid& id,
                      std::uint64_t removes);

// Whether a (planned) statement writes audit rows: it returns them as
// stored, in audit::kAuditRowSelect's columns, for the hash chain.
bool returns_audit_rows(const pg::Statement& statement);

// One audit_logs row per event: id = event id, details = what changed.
Statement audit_row(const events::Envelope& event, const boost::json::object& changes);
// An access fact's audit row (events/access.hpp): the same row shape and
// statement as every other audit row, with the access action (view, search,
// denied), the entity read (its id when there is one) and `details`.
Statement access_audit_row(const events::Envelope& event, std::string_view action,
                           std::string_view entity_type, std::optional<std::string> entity_id,
                           boost::json::object details);
// The same as audit_row, with each change's "old" read from the aggregate's row in
// the spec's table as it stands before the event's own statements run.
Statement audit_row_from(const events::Envelope& event, const boost::json::object& changes,
                         const TableSpec& spec);
// updated_at only: a step that changes no column still moves the row on.
Statement touch_row(const TableSpec& spec, const events::Envelope& event, bool tenant_scoped);
// entity_versions: the aggregate's version for ETag and item "version";
// nothing a projection writes reads it, so a batch writes only the last.
Statement version_row(const events::Envelope& event);

// {"col": {"old": null, "new": v}} for every column of a created row.
boost::json::object creation_changes(const boost::json::object& values);

Error bad_payload(const events::Envelope& event, std::string why);

}  // namespace cc::projection
