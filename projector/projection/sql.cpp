#include "projector/projection/sql.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace cc::projection {
namespace {

bool allowed(const TableSpec& spec, std::string_view column) {
    return std::find(spec.columns.begin(), spec.columns.end(), column) != spec.columns.end();
}

}  // namespace

std::string_view column_of(const TableSpec& spec, std::string_view key) {
    for (const auto& renamed : spec.renamed)
        if (renamed.key == key) return renamed.column;
    return key;
}

Error bad_payload(const events::Envelope& event, std::string why) {
    return Error::make(ErrorKind::malformed, "bad-payload",
                       event.event_type + " payload: " + std::move(why));
}

Result<Statement> insert_row(const TableSpec& spec, const events::Envelope& event,
                             const boost::json::object& values) {
    std::string columns = "id, created_at, updated_at";
    std::string selects = "$1::uuid, $2::timestamptz, $2::timestamptz";
    // Keyed by column: jsonb_populate_record matches keys to column names.
    boost::json::object row;
    for (const auto& entry : values) {
        if (!allowed(spec, entry.key())) {
            return bad_payload(event, "unknown column " + std::string(entry.key()));
        }
        const std::string column(column_of(spec, entry.key()));
        columns += ", " + column;
        selects += ", r." + column;
        row[column] = entry.value();
    }
    // jsonb_populate_record lets PostgreSQL convert every value to its column
    // type, so one statement shape serves every table.
    Statement s;
    s.sql = "INSERT INTO " + std::string(spec.table) + " (" + columns + ") SELECT " + selects +
            " FROM jsonb_populate_record(NULL::" + std::string(spec.table) + ", $3::jsonb) r";
    s.params = {event.aggregate_id.to_string(), event.occurred_at.to_string(),
                boost::json::serialize(row)};
    return s;
}

Result<Statement> update_row(const TableSpec& spec, const events::Envelope& event,
                             const boost::json::object& changes, bool tenant_scoped) {
    if (changes.empty()) return bad_payload(event, "no changes");
    boost::json::object values;
    std::string sets = "updated_at = $2::timestamptz";
    for (const auto& entry : changes) {
        if (!allowed(spec, entry.key())) {
            return bad_payload(event, "unknown column " + std::string(entry.key()));
        }
        const auto* change = entry.value().if_object();
        const auto* next = change ? change->if_contains("new") : nullptr;
        if (next == nullptr) return bad_payload(event, "change without a new value");
        const std::string column(column_of(spec, entry.key()));
        values[column] = *next;
        sets += ", " + column + " = r." + column;
    }
    Statement s;
    s.sql = "UPDATE " + std::string(spec.table) + " t SET " + sets +
            " FROM jsonb_populate_record(NULL::" + std::string(spec.table) +
            ", $3::jsonb) r WHERE t.id = $1::uuid" +
            (tenant_scoped ? " AND t.tenant_id = $4::uuid" : "");
    s.params = {event.aggregate_id.to_string(), event.occurred_at.to_string(),
                boost::json::serialize(values)};
    if (tenant_scoped) s.params.push_back(event.tenant_id.to_string());
    return s;
}

Statement soft_delete_row(const TableSpec& spec, const events::Envelope& event,
                          bool tenant_scoped) {
    Statement s;
    s.sql = "UPDATE " + std::string(spec.table) +
            " SET deleted_at = $2::timestamptz, updated_at = $2::timestamptz WHERE id = $1::uuid" +
            (tenant_scoped ? " AND tenant_id = $3::uuid" : "");
    s.params = {event.aggregate_id.to_string(), event.occurred_at.to_string()};
    if (tenant_scoped) s.params.push_back(event.tenant_id.to_string());
    return s;
}

Statement delete_rows(std::string_view table, std::string_view column, const Uuid& id) {
    Statement s;
    s.sql = "DELETE FROM " + std::string(table) + " WHERE " + std::string(column) + " = $1::uuid";
    s.params = {id.to_string()};
    return s;
}

namespace {

boost::json::object audit_details(const events::Envelope& event,
                                  const boost::json::object& changes) {
    boost::json::object details{
        {"event_type", event.event_type},
        {"schema_version", event.schema_version},
        {"aggregate_version", event.aggregate_version},
        {"changes", changes},
    };
    if (event.request.request_id) details["request_id"] = *event.request.request_id;
    if (event.correlation_id) details["correlation_id"] = event.correlation_id->to_string();
    return details;
}

std::vector<std::optional<std::string>> audit_params(const events::Envelope& event,
                                                     const boost::json::object& changes) {
    std::optional<std::string> ip = event.request.ip;
    if (ip && ip->size() > 45) ip->resize(45);
    return {event.event_id.to_string(),
            event.tenant_id.to_string(),
            event.actor ? std::optional(event.actor->to_string()) : std::nullopt,
            event.event_type,
            event.aggregate_type,
            event.aggregate_id.to_string(),
            boost::json::serialize(audit_details(event, changes)),
            ip,
            event.request.user_agent,
            event.occurred_at.to_string()};
}

constexpr std::string_view kAuditColumns =
    "INSERT INTO audit_logs (id, tenant_id, user_id, action, entity_type, entity_id, details, "
    "ip_address, user_agent, created_at) ";

}  // namespace

Statement audit_row(const events::Envelope& event, const boost::json::object& changes) {
    Statement s;
    s.sql = std::string(kAuditColumns) +
            "VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6::uuid, $7::jsonb, $8, $9, "
            "$10::timestamptz)";
    s.params = audit_params(event, changes);
    return s;
}

Statement audit_row_from(const events::Envelope& event, const boost::json::object& changes,
                         const TableSpec& spec) {
    // The changes name payload keys: a renamed column joins the row under its key.
    std::string row = "to_jsonb(t)";
    for (const auto& renamed : spec.renamed) {
        row = "(" + row + " || jsonb_build_object('" + std::string(renamed.key) + "', t." +
              std::string(renamed.column) + "))";
    }
    Statement s;
    // The row is read by its id alone: the event's tenant owns it (the
    // write side only decides on rows of the command's tenant).
    s.sql =
        std::string(kAuditColumns) +
        "SELECT $1::uuid, $2::uuid, $3::uuid, $4, $5, $6::uuid, jsonb_set($7::jsonb, "
        "'{changes}', COALESCE((SELECT jsonb_object_agg(c.key, jsonb_build_object('old', " +
        row +
        " -> c.key, 'new', c.value -> 'new')) FROM jsonb_each($7::jsonb -> "
        "'changes') c), '{}'::jsonb)), $8, $9, $10::timestamptz FROM (SELECT 1) one LEFT JOIN " +
        std::string(spec.table) + " t ON t.id = $6::uuid";
    s.params = audit_params(event, changes);
    return s;
}

Statement touch_row(const TableSpec& spec, const events::Envelope& event, bool tenant_scoped) {
    Statement s;
    s.sql = "UPDATE " + std::string(spec.table) +
            " SET updated_at = $2::timestamptz WHERE id = $1::uuid" +
            (tenant_scoped ? " AND tenant_id = $3::uuid" : "");
    s.params = {event.aggregate_id.to_string(), event.occurred_at.to_string()};
    if (tenant_scoped) s.params.push_back(event.tenant_id.to_string());
    return s;
}

Statement version_row(const events::Envelope& event) {
    Statement s;
    s.sql =
        "INSERT INTO entity_versions (entity_type, entity_id, tenant_id, version) "
        "VALUES ($1, $2::uuid, $3::uuid, $4::bigint) ON CONFLICT (entity_type, entity_id) "
        "DO UPDATE SET version = EXCLUDED.version";
    s.params = {event.aggregate_type, event.aggregate_id.to_string(), event.tenant_id.to_string(),
                std::to_string(event.aggregate_version)};
    return s;
}

boost::json::object creation_changes(const boost::json::object& values) {
    boost::json::object changes;
    for (const auto& entry : values) {
        changes[entry.key()] = boost::json::object{{"old", nullptr}, {"new", entry.value()}};
    }
    return changes;
}

}  // namespace cc::projection
