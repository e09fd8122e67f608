#include "projector/projection/sql.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "platform/audit/chain.hpp"

namespace cc::projection {
namespace {

bool allowed(const TableSpec& spec, std::string_view column) {
    return std::find(spec.columns.begin(), spec.columns.end(), column) != spec.columns.end();
}

// The rows that `key` names through the spec's foreign keys.
void read_references(const TableSpec& spec, std::string_view key, const boost::json::value& value,
                     std::vector<std::uint64_t>& reads) {
    for (const auto& reference : spec.references) {
        if (reference.key == key && value.is_string())
            reads.push_back(row_key(reference.table, value.as_string()));
    }
}

// An UPDATE of the aggregate's row (within its tenant when tenant-scoped)
// that sets `sets` from `v`, and from `r`, the columns of `fields` (JSON
// keyed by column) when there are any.
Statement update_own_row(const TableSpec& spec, const events::Envelope& event, bool tenant_scoped,
                         const std::string& sets, std::optional<std::string> fields) {
    const std::string table(spec.table);
    std::string params = "$1::uuid[], $2::timestamptz[]";
    std::string names = "id, occurred_at";
    std::string from;
    Statement s;
    s.row = {event.aggregate_id.to_string(), event.occurred_at.to_string()};
    if (fields) {
        params += ", $3::jsonb[]";
        names += ", fields";
        from = ", jsonb_populate_record(NULL::" + table + ", v.fields) r";
        s.row.push_back(std::move(fields));
    }
    std::string where = " WHERE t.id = v.id";
    if (tenant_scoped) {
        params += ", $" + std::to_string(s.row.size() + 1) + "::uuid[]";
        names += ", tenant_id";
        where += " AND t.tenant_id = v.tenant_id";
        s.row.push_back(event.tenant_id.to_string());
    }
    s.sql = "UPDATE " + table + " t SET " + sets + " FROM unnest(" + params + ") AS v(" + names +
            ")" + from + where;
    s.writes = {row_key(spec.table, *s.row[0])};
    return s;
}

}  // namespace

std::uint64_t row_key(std::string_view table, std::string_view id) {
    // FNV-1a over "table/id".
    std::uint64_t hash = 14695981039346656037ULL;
    const auto add = [&](std::string_view text) {
        for (const unsigned char c : text) hash = (hash ^ c) * 1099511628211ULL;
    };
    add(table);
    add("/");
    add(id);
    return hash;
}

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
    Statement s;
    std::string columns = "id, created_at, updated_at";
    std::string selects = "v.id, v.occurred_at, v.occurred_at";
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
        read_references(spec, entry.key(), entry.value(), s.reads);
    }
    // jsonb_populate_record lets PostgreSQL convert every value to its column
    // type, so one statement shape serves every table.
    s.sql = "INSERT INTO " + std::string(spec.table) + " (" + columns + ") SELECT " + selects +
            " FROM unnest($1::uuid[], $2::timestamptz[], $3::jsonb[]) AS v(id, occurred_at, "
            "fields), jsonb_populate_record(NULL::" +
            std::string(spec.table) + ", v.fields) r";
    s.row = {event.aggregate_id.to_string(), event.occurred_at.to_string(),
             boost::json::serialize(row)};
    s.writes = {row_key(spec.table, event.aggregate_id.to_string())};
    return s;
}

Result<Statement> update_row(const TableSpec& spec, const events::Envelope& event,
                             const boost::json::object& changes, bool tenant_scoped) {
    if (changes.empty()) return bad_payload(event, "no changes");
    boost::json::object values;
    std::vector<std::uint64_t> reads;
    std::string sets = "updated_at = v.occurred_at";
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
        read_references(spec, entry.key(), *next, reads);
    }
    auto s = update_own_row(spec, event, tenant_scoped, sets, boost::json::serialize(values));
    s.reads = std::move(reads);
    return s;
}

Statement soft_delete_row(const TableSpec& spec, const events::Envelope& event,
                          bool tenant_scoped) {
    return update_own_row(spec, event, tenant_scoped,
                          "deleted_at = v.occurred_at, updated_at = v.occurred_at", std::nullopt);
}

Statement delete_rows(std::string_view table, std::string_view column, const Uuid& id,
                      std::uint64_t removes) {
    Statement s;
    s.sql = "DELETE FROM " + std::string(table) + " WHERE " + std::string(column) +
            " = ANY($1::uuid[])";
    s.row = {id.to_string()};
    s.writes = {removes};
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

// What an audit row says besides the event's own who, where and when.
struct AuditSubject {
    std::string action;
    std::string entity_type;
    std::optional<std::string> entity_id;
    boost::json::object details;
};

// The one audit_logs row shape, whatever the stream: every row is made here.
Statement audit_statement(const events::Envelope& event, AuditSubject subject) {
    std::optional<std::string> ip = event.request.ip;
    if (ip && ip->size() > 45) ip->resize(45);
    Statement s;
    s.row = {event.event_id.to_string(),
             event.tenant_id.to_string(),
             event.actor ? std::optional(event.actor->to_string()) : std::nullopt,
             std::move(subject.action),
             std::move(subject.entity_type),
             std::move(subject.entity_id),
             boost::json::serialize(subject.details),
             ip,
             event.request.user_agent,
             event.occurred_at.to_string()};
    s.writes = {row_key("audit_logs", *s.row[0])};
    s.audit = Statement::Audit{*s.row[0], std::string(audit::kChangesStream), *s.row[1]};
    s.reads = {row_key("tenants", *s.row[1])};
    if (s.row[2]) s.reads.push_back(row_key("users", *s.row[2]));
    return s;
}

Statement audit_statement(const events::Envelope& event, const boost::json::object& changes) {
    return audit_statement(
        event, AuditSubject{event.event_type, event.aggregate_type, event.aggregate_id.to_string(),
                            audit_details(event, changes)});
}

// `a` names the row in RETURNING (audit::kAuditRowSelect reads it as `a`).
constexpr std::string_view kAuditColumns =
    "INSERT INTO audit_logs AS a (id, tenant_id, user_id, action, entity_type, entity_id, "
    "details, ip_address, user_agent, created_at) ";
constexpr std::string_view kAuditRows =
    "unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::uuid[], "
    "$7::jsonb[], $8::text[], $9::text[], $10::timestamptz[]) AS v(id, tenant_id, user_id, "
    "action, entity_type, entity_id, details, ip_address, user_agent, created_at)";

// The rows as stored (details partly computed in SQL), for the chain.
std::string returning_audit_row() {
    return " RETURNING " + std::string(audit::kAuditRowSelect);
}

}  // namespace

bool returns_audit_rows(const pg::Statement& statement) {
    return statement.sql.starts_with(kAuditColumns);
}

Statement audit_row(const events::Envelope& event, const boost::json::object& changes) {
    auto s = audit_statement(event, changes);
    s.sql = std::string(kAuditColumns) + "SELECT v.* FROM " + std::string(kAuditRows) +
            returning_audit_row();
    return s;
}

Statement access_audit_row(const events::Envelope& event, std::string_view action,
                           std::string_view entity_type, std::optional<std::string> entity_id,
                           boost::json::object details) {
    details["event_type"] = event.event_type;
    details["schema_version"] = event.schema_version;
    if (event.request.request_id) details["request_id"] = *event.request.request_id;
    auto s = audit_statement(event, AuditSubject{std::string(action), std::string(entity_type),
                                                 std::move(entity_id), std::move(details)});
    s.audit->stream = std::string(audit::kAccessStream);  // a chain of its own (audit/chain.hpp)
    s.sql = std::string(kAuditColumns) + "SELECT v.* FROM " + std::string(kAuditRows) +
            returning_audit_row();
    return s;
}

Statement audit_row_from(const events::Envelope& event, const boost::json::object& changes,
                         const TableSpec& spec) {
    // Each change's old value is its column as the row holds it (only
    // column names from the spec reach the SQL, and few enough for
    // jsonb_build_object's 100 arguments). Any other key (a reason,
    // deleted_at) is looked up in the whole row, as a value; the changes
    // name payload keys, so a renamed column joins the row under its key.
    constexpr std::size_t kMostColumns = 40;
    std::string columns;
    std::string listed;
    std::size_t listed_count = 0;
    bool others = false;
    for (const auto& entry : changes) {
        const std::string_view key = entry.key();
        if (!allowed(spec, key) || listed_count == kMostColumns) {
            others = true;
            continue;
        }
        const std::string literal = "'" + std::string(key) + "'";
        columns += std::string(columns.empty() ? "" : ", ") + literal +
                   ", jsonb_build_object('old', to_jsonb(t." + std::string(column_of(spec, key)) +
                   "), 'new', v.details -> 'changes' -> " + literal + " -> 'new')";
        listed += std::string(listed.empty() ? "" : ", ") + literal;
        ++listed_count;
    }
    std::string changed = "jsonb_build_object(" + columns + ")";
    if (others) {
        std::string row = "to_jsonb(t)";
        for (const auto& renamed : spec.renamed) {
            row = "(" + row + " || jsonb_build_object('" + std::string(renamed.key) + "', t." +
                  std::string(renamed.column) + "))";
        }
        changed = "COALESCE((SELECT jsonb_object_agg(c.key, jsonb_build_object('old', " + row +
                  " -> c.key, 'new', c.value -> 'new')) FROM jsonb_each(v.details -> 'changes') c" +
                  (listed.empty() ? "" : " WHERE c.key NOT IN (" + listed + ")") +
                  "), '{}'::jsonb) || " + changed;
    }
    auto s = audit_statement(event, changes);
    // The row is read by its id alone: the event's tenant owns it (the
    // write side only decides on rows of the command's tenant).
    s.sql = std::string(kAuditColumns) +
            "SELECT v.id, v.tenant_id, v.user_id, v.action, v.entity_type, v.entity_id, "
            "jsonb_set(v.details, '{changes}', " +
            changed + "), v.ip_address, v.user_agent, v.created_at FROM " +
            std::string(kAuditRows) + " LEFT JOIN " + std::string(spec.table) +
            " t ON t.id = v.entity_id" + returning_audit_row();
    s.reads.push_back(row_key(spec.table, event.aggregate_id.to_string()));
    s.audit->old_values_from_row = true;
    return s;
}

Statement touch_row(const TableSpec& spec, const events::Envelope& event, bool tenant_scoped) {
    return update_own_row(spec, event, tenant_scoped, "updated_at = v.occurred_at", std::nullopt);
}

Statement version_row(const events::Envelope& event) {
    Statement s;
    s.sql =
        "INSERT INTO entity_versions (entity_type, entity_id, tenant_id, version) "
        "SELECT v.* FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::bigint[]) "
        "AS v(entity_type, entity_id, tenant_id, version) ON CONFLICT (entity_type, entity_id) "
        "DO UPDATE SET version = EXCLUDED.version";
    s.row = {event.aggregate_type, event.aggregate_id.to_string(), event.tenant_id.to_string(),
             std::to_string(event.aggregate_version)};
    s.last_wins = event.aggregate_type + "/" + *s.row[1];
    s.writes = {row_key("entity_versions", s.last_wins)};
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
