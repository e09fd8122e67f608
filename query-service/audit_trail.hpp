#pragma once
// The tenant's audit trail as auditors read it: filters, keyset pages and
// the export, as SQL values. Besides the tenant's own rows, the trail holds
// the platform-level events about its members (user accounts are filed
// under the platform tenant): those that happened while the user held a
// live membership of the tenant, read from the tenant's own membership
// rows in the trail, so a former member's later account changes, and
// anyone else's, stay out. Pure: no libpqxx.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "platform/core/result.hpp"
#include "platform/pg/statement.hpp"

namespace cc::query {

struct AuditFilter {
    std::optional<std::string> from;  // created_at at or after (RFC 3339, normalised)
    std::optional<std::string> to;    // created_at before
    std::optional<std::string> user_id;
    std::optional<std::string> entity_type;
    std::optional<std::string> entity_id;
    std::optional<std::string> action;
};

// A query string parameter by name.
using QueryParam = std::function<std::optional<std::string>(std::string_view)>;

// from, to (RFC 3339 with an offset; from before to), user_id and entity_id
// (UUIDs), entity_type and action: a 400 naming the field at fault.
Result<AuditFilter> audit_filter(const QueryParam& param);

// Keyset cursor of a page, newest first: "<created_at micros>_<id>".
struct AuditCursor {
    std::int64_t micros = 0;
    std::string id;
};
std::optional<AuditCursor> parse_audit_cursor(std::string_view text);

// Rows (JSON document, cursor), newest first, limit + 1 of them.
pg::Statement audit_page_statement(const std::string& tenant_id, const AuditFilter& filter,
                                   const std::optional<AuditCursor>& after, std::size_t limit);

enum class ExportFormat { jsonl, csv };
// Every row of the filter, oldest first, with its chain link (stream, seq,
// prev_hash, row_hash; null where the row has none): for jsonl one column,
// the row's JSON document; for csv one text column per kExportColumns.
pg::Statement audit_export_statement(const std::string& tenant_id, const AuditFilter& filter,
                                     ExportFormat format);
extern const std::string_view kExportColumns[14];

// RFC 4180: a field holding a comma, a quote, CR or LF is quoted, its
// quotes doubled; NULL is an empty field (an empty string is "").
std::string csv_field(const std::optional<std::string>& value);
// The header line, CRLF-terminated.
std::string csv_header();

}  // namespace cc::query
