#pragma once
// Read models as data: which table, which columns, how a list is ordered and
// filtered. The builders turn them into tenant-filtered SQL that returns one
// JSON document per row. Pure: no libpqxx.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/paging.hpp"
#include "platform/core/result.hpp"
#include "platform/pg/statement.hpp"

namespace cc::query {

// How a column reaches JSON: timestamps as RFC 3339 UTC, decimals as their
// exact text (a JSON number would invite a double on the client).
enum class Render { plain, timestamp, decimal };

struct Column {
    std::string_view name;
    Render render = Render::plain;
    // The JSON key when it is not the column's name (a policy's
    // policy_version, whose column `version` would meet the entity version).
    std::string_view as = {};
    // The alias of the table it is read from: "t" the resource's own row,
    // others a row of Resource::joins (a member's account).
    std::string_view from = "t";
};

struct Filter {
    std::string_view parameter;  // query-string name
    std::string_view column;
    std::string_view cast;  // SQL type of the column, e.g. "uuid", "text"
    std::string (*normalise)(std::string_view) = nullptr;  // e.g. NHS numbers without spaces
    // "=", ">=", "<", "@>" (array contains the value), "holds" or "on"
    std::string_view op = "=";
    // holds: the condition ?<parameter>=true asks for; on: the condition with
    // {} standing for the value.
    std::string_view when_true = {};
    bool accepts_me = false;  // a member reference: "me" names the caller
};

struct Resource {
    std::string_view entity_type;  // entity_versions.entity_type
    std::string_view table;
    std::span<const Column> columns;
    // The row's tenant column ("" for platform-level rows such as users).
    std::string_view tenant_column;
    // The column an item path id names (usually "id").
    std::string_view key_column = "id";
    std::span<const Filter> filters = {};
    std::string_view extra_condition = {};  // fixed SQL, e.g. excluding the platform tenant
    // Fixed SQL joined to the row `t` for columns read from elsewhere
    // ("LEFT JOIN users u ON ..."); it must add at most one row per row.
    std::string_view joins = {};
    // Columns a ?q= search matches by case-insensitive prefix (any of them).
    std::span<const std::string_view> search_columns = {};
    // Keyset order (sort_column, key) when set; by the key alone otherwise.
    std::string_view sort_column = {};
    std::string_view sort_cast = {};
    // Ties of the sort column ordered by this one, before the key: (sort,
    // then, key). Never null (a row comparison has no "last" for null).
    std::string_view then_column = {};
    std::string_view then_cast = {};
    bool sort_nulls_last = false;  // an optional sort column: rows without it come last
    bool soft_delete = true;       // the table has deleted_at (features do not)
    bool sort_descending = false;  // newest first
};

struct ListRequest {
    std::optional<std::string> tenant_id;
    std::optional<std::string> after;       // cursor: the last key of the previous page
    std::optional<std::string> after_sort;  // ...and its sort value, when the resource has one
    std::optional<std::string> after_then;  // ...and its then value, when it has one
    std::size_t limit = 50;
    std::vector<std::pair<std::string_view, std::string>> filters;  // (parameter, value)
    // Tenants list for a non-admin: only tenants this user is a live member of.
    std::optional<std::string> member_of;
    std::optional<std::string> search;  // ?q=, a name prefix
};

// SELECT one row as JSON (plus its version), or nothing for a missing or
// soft-deleted row, or a row of another tenant.
pg::Statement item_statement(const Resource& resource, const std::optional<std::string>& tenant_id,
                             const std::string& key);
// Keyset page ordered by the key column; fetches limit + 1 rows so the caller
// knows whether there is a next page.
pg::Statement list_statement(const Resource& resource, const ListRequest& request);

// Count and exact sum of a decimal column per value of a group column
// (each of `groups`, none as 0 and `zero`), over the rows a list with the
// same filters would hold: one row, one JSON document
// {"by_<group>": {"<value>": {"count": n, "total": "<decimal text>"}}}.
struct Totals {
    std::string_view group_column;
    std::string_view sum_column;
    std::span<const std::string_view> groups;
    std::string zero;  // the sum of nothing, at the column's scale ("0.00")
};
pg::Statement totals_statement(const Resource& resource, const ListRequest& request,
                               const Totals& totals);

// A cursor names the last row of a page: its key, or "<sort value>~<key>" in
// hex (sort values hold spaces and '+'), so that it travels in a URL as is;
// with a then column, "<sort value>\0<then value>~<key>" (PostgreSQL text
// never holds a NUL, so it cannot be part of a value). list_statement
// writes it, in SQL, as each page's last cursor.
struct Cursor {
    std::optional<std::string> sort_value;
    std::string key;
    std::optional<std::string> then_value;
};
std::optional<Cursor> decode_cursor(const Resource& resource, std::string_view cursor);

// Reads limit/cursor/filters from query parameters; 400 for a bad limit or
// an unknown filter value type.
constexpr std::size_t kDefaultPageSize = model::kDefaultPageSize;
constexpr std::size_t kMaxPageSize = model::kMaxPageSize;

}  // namespace cc::query
