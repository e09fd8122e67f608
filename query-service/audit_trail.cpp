#include "query-service/audit_trail.hpp"

#include <charconv>

#include "model/aggregates/identity.hpp"
#include "platform/core/time.hpp"
#include "platform/core/uuid.hpp"

namespace cc::query {
namespace {

Error bad_filter(std::string_view field, std::string_view code, std::string detail) {
    Error error = Error::make(ErrorKind::malformed, "bad-filter", std::move(detail));
    error.fields.push_back({std::string(field), std::string(code), error.detail});
    return error;
}

// The conditions every part of the trail shares, with their parameters
// after the tenant ($1).
struct Conditions {
    std::string sql;
    std::vector<std::optional<std::string>> params;

    void add(std::string_view before, const std::string& value, std::string_view after) {
        params.emplace_back(value);
        sql += " AND a.";
        sql += before;
        sql += " $" + std::to_string(params.size() + 1);
        sql += after;
    }
};

Conditions conditions_of(const AuditFilter& filter) {
    Conditions c;
    if (filter.from) c.add("created_at >=", *filter.from, "::timestamptz");
    if (filter.to) c.add("created_at <", *filter.to, "::timestamptz");
    if (filter.user_id) c.add("user_id =", *filter.user_id, "::uuid");
    if (filter.entity_type) c.add("entity_type =", *filter.entity_type, "");
    if (filter.entity_id) c.add("entity_id =", *filter.entity_id, "::uuid");
    if (filter.action) c.add("action =", *filter.action, "");
    return c;
}

std::string quoted(std::string_view text) {
    return "'" + std::string(text) + "'";
}

// The tenant's own rows, and the platform's rows about an account while it
// was a live member of the tenant.
std::string own_rows(const std::string& conditions, const std::string& order) {
    return "SELECT a.* FROM audit_logs a WHERE a.tenant_id = $1::uuid" + conditions + order;
}
// Each membership event of the tenant starts a window that lasts until the
// membership's next event: a grant or a role change opens a live one, a
// revocation a closed one. The account's platform rows are read per live
// window through (tenant_id, entity_id, created_at), `order` (with its
// LIMIT) applied in each, and the windows are few: one per grant.
std::string member_rows(const std::string& conditions, const std::string& order) {
    using model::kMembership;
    return "SELECT a.* FROM (SELECT m.user_id, g.action, g.created_at AS since, "
           "lead(g.created_at) OVER (PARTITION BY g.entity_id ORDER BY g.created_at, g.id) AS "
           "until FROM user_tenants m JOIN audit_logs g ON g.tenant_id = $1::uuid AND "
           "g.entity_id = m.id AND g.entity_type = " +
           quoted(kMembership.name) + " WHERE m.tenant_id = $1::uuid) w CROSS JOIN LATERAL (" +
           "SELECT a.* FROM audit_logs a WHERE a.tenant_id = " +
           quoted(kPlatformTenant.to_string()) + "::uuid AND a.entity_id = w.user_id AND " +
           "a.entity_type = " + quoted(model::kUser.name) +
           " AND a.created_at >= w.since AND (w.until IS NULL OR a.created_at < w.until)" +
           conditions + order + ") a WHERE w.action IN (" + quoted(kMembership.created) + ", " +
           quoted(kMembership.updated) + ")";
}

constexpr std::string_view kRowJson =
    "json_build_object('id', a.id, 'tenant_id', a.tenant_id, 'user_id', a.user_id, 'action', "
    "a.action, 'entity_type', a.entity_type, 'entity_id', a.entity_id, 'details', a.details, "
    "'ip_address', a.ip_address, 'user_agent', a.user_agent, 'created_at', "
    "cc_rfc3339(a.created_at)";

}  // namespace

const std::string_view kExportColumns[14] = {
    "id",         "tenant_id",  "user_id",    "action", "entity_type", "entity_id", "details",
    "ip_address", "user_agent", "created_at", "stream", "seq",         "prev_hash", "row_hash"};

Result<AuditFilter> audit_filter(const QueryParam& param) {
    AuditFilter filter;
    for (const auto& [name, bound] :
         {std::pair{"from", &filter.from}, std::pair{"to", &filter.to}}) {
        const auto value = param(name);
        if (!value) continue;
        const auto parsed = Timestamp::parse(*value);
        if (!parsed) {
            return bad_filter(name, "format",
                              std::string(name) +
                                  " must be an RFC 3339 time with an offset, e.g. "
                                  "2026-11-01T00:00:00Z");
        }
        *bound = parsed->to_string();
    }
    if (filter.from && filter.to &&
        Timestamp::parse(*filter.from)->micros() >= Timestamp::parse(*filter.to)->micros()) {
        return bad_filter("to", "range", "to must be after from");
    }
    for (const auto& [name, id] :
         {std::pair{"user_id", &filter.user_id}, std::pair{"entity_id", &filter.entity_id}}) {
        const auto value = param(name);
        if (!value) continue;
        if (!Uuid::parse(*value))
            return bad_filter(name, "format", std::string(name) + " must be a UUID");
        *id = *value;
    }
    for (const auto& [name, text] :
         {std::pair{"entity_type", &filter.entity_type}, std::pair{"action", &filter.action}}) {
        const auto value = param(name);
        if (!value) continue;
        // The columns are VARCHAR(100): a longer value names nothing there.
        if (value->empty() || value->size() > 100) {
            return bad_filter(name, "length", std::string(name) + " must be 1 to 100 characters");
        }
        *text = *value;
    }
    return filter;
}

std::optional<AuditCursor> parse_audit_cursor(std::string_view text) {
    const auto sep = text.find('_');
    if (sep == std::string_view::npos) return std::nullopt;
    AuditCursor cursor;
    auto [end, ec] = std::from_chars(text.data(), text.data() + sep, cursor.micros);
    if (ec != std::errc{} || end != text.data() + sep) return std::nullopt;
    cursor.id = std::string(text.substr(sep + 1));
    if (!Uuid::parse(cursor.id)) return std::nullopt;
    return cursor;
}

pg::Statement audit_page_statement(const std::string& tenant_id, const AuditFilter& filter,
                                   const std::optional<AuditCursor>& after, std::size_t limit) {
    auto c = conditions_of(filter);
    if (after) {
        c.params.emplace_back(Timestamp::from_micros(after->micros).to_string());
        c.params.emplace_back(after->id);
        c.sql += " AND (a.created_at, a.id) < ($" + std::to_string(c.params.size()) +
                 "::timestamptz, $" + std::to_string(c.params.size() + 1) + "::uuid)";
    }
    c.params.emplace_back(std::to_string(limit + 1));
    // Each part is read newest first up to the page's size through its own
    // index, then the two are merged: an OR of both would scan either.
    const std::string order = " ORDER BY a.created_at DESC, a.id DESC LIMIT $" +
                              std::to_string(c.params.size() + 1) + "::int";
    pg::Statement s;
    s.params.emplace_back(tenant_id);
    for (auto& p : c.params) s.params.push_back(std::move(p));
    s.sql = "SELECT " + std::string(kRowJson) +
            ")::text, (extract(epoch FROM a.created_at) * 1000000)::bigint::text || '_' || "
            "a.id::text FROM ((" +
            own_rows(c.sql, order) + ") UNION ALL (" + member_rows(c.sql, order) + ")) a" + order;
    return s;
}

pg::Statement audit_export_statement(const std::string& tenant_id, const AuditFilter& filter,
                                     ExportFormat format) {
    auto c = conditions_of(filter);
    pg::Statement s;
    s.params.emplace_back(tenant_id);
    for (auto& p : c.params) s.params.push_back(std::move(p));
    const std::string select =
        format == ExportFormat::jsonl
            ? std::string(kRowJson) +
                  ", 'stream', l.stream, 'seq', l.seq, 'prev_hash', l.prev_hash, 'row_hash', "
                  "l.row_hash)::text"
            : "a.id::text, a.tenant_id::text, a.user_id::text, a.action, a.entity_type, "
              "a.entity_id::text, a.details::text, a.ip_address, a.user_agent, "
              "cc_rfc3339(a.created_at), l.stream, l.seq::text, l.prev_hash, l.row_hash";
    s.sql = "SELECT " + select + " FROM ((" + own_rows(c.sql, "") + ") UNION ALL (" +
            member_rows(c.sql, "") +
            ")) a LEFT JOIN audit_chain l ON l.audit_log_id = a.id ORDER BY a.created_at, a.id";
    return s;
}

std::string csv_field(const std::optional<std::string>& value) {
    if (!value) return {};
    if (!value->empty() && value->find_first_of(",\"\r\n") == std::string::npos) return *value;
    std::string out = "\"";
    for (const char c : *value) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string csv_header() {
    std::string out;
    for (const auto column : kExportColumns) {
        if (!out.empty()) out += ',';
        out += column;
    }
    return out + "\r\n";
}

}  // namespace cc::query
