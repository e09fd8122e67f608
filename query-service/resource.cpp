#include "query-service/resource.hpp"

#include <cctype>

#include "platform/core/uuid.hpp"

namespace cc::query {
namespace {

std::string select_list(const Resource& r) {
    std::string out;
    for (const auto& column : r.columns) {
        if (!out.empty()) out += ", ";
        const std::string name = std::string(column.from) + "." + std::string(column.name);
        const std::string key(column.as.empty() ? column.name : column.as);
        switch (column.render) {
            case Render::timestamp:
                out += "cc_rfc3339(" + name + ") AS " + key;
                break;
            case Render::decimal:
                out += name + "::text AS " + key;
                break;
            case Render::plain:
                out += name + (key == column.name ? "" : " AS " + key);
                break;
        }
    }
    return out + ", COALESCE(v.version, 1) AS version";
}

std::string from_clause(const Resource& r) {
    return " FROM " + std::string(r.table) + " t LEFT JOIN entity_versions v ON v.entity_type = '" +
           std::string(r.entity_type) + "' AND v.entity_id = t.id " + std::string(r.joins) +
           " WHERE " + (r.soft_delete ? "t.deleted_at IS NULL" : "TRUE") +
           (r.extra_condition.empty() ? "" : " AND " + std::string(r.extra_condition));
}

// Adds "AND <column> <op> $n::<cast>" and its parameter.
void add_condition(pg::Statement& s, std::string& where, std::string_view column,
                   std::string_view cast, std::string value, std::string_view op = "=") {
    s.params.emplace_back(std::move(value));
    const std::string placeholder =
        "$" + std::to_string(s.params.size()) + "::" + std::string(cast);
    where += " AND t." + std::string(column) + " " + std::string(op) + " " +
             (op == "@>" ? "ARRAY[" + placeholder + "]" : placeholder);
}

}  // namespace

pg::Statement item_statement(const Resource& r, const std::optional<std::string>& tenant_id,
                             const std::string& key) {
    pg::Statement s;
    std::string where;
    if (!r.tenant_column.empty())
        add_condition(s, where, r.tenant_column, "uuid", tenant_id.value_or(""));
    add_condition(s, where, r.key_column, "uuid", key);
    s.sql = "SELECT row_to_json(x)::text, x.version FROM (SELECT " + select_list(r) +
            from_clause(r) + where + ") x";
    return s;
}

namespace {

// The tenant, the filters and the search of a list: "AND ..." conditions
// on the row `t`, their values appended to the statement's parameters.
std::string list_conditions(pg::Statement& s, const Resource& r, const ListRequest& request) {
    std::string where;
    if (!r.tenant_column.empty()) {
        add_condition(s, where, r.tenant_column, "uuid", request.tenant_id.value_or(""));
    }
    for (const auto& [parameter, value] : request.filters) {
        for (const auto& filter : r.filters) {
            if (filter.parameter != parameter) continue;
            if (filter.op == "holds") {
                // Fixed SQL from the description; the value only picks a side.
                where += (value == "true" ? " AND (" : " AND NOT (") +
                         std::string(filter.when_true) + ")";
            } else if (filter.op == "on") {
                // Fixed SQL from the description; the value is a parameter.
                s.params.emplace_back(value);
                const std::string placeholder =
                    "$" + std::to_string(s.params.size()) + "::" + std::string(filter.cast);
                std::string condition(filter.when_true);
                for (auto at = condition.find("{}"); at != std::string::npos;
                     at = condition.find("{}", at + placeholder.size())) {
                    condition.replace(at, 2, placeholder);
                }
                where += " AND (" + condition + ")";
            } else {
                add_condition(s, where, filter.column, filter.cast, value, filter.op);
            }
        }
    }
    if (request.search && !r.search_columns.empty()) {
        // A prefix: LIKE's own wildcards in the input match themselves.
        std::string pattern;
        for (char c : *request.search) {
            if (c == '%' || c == '_' || c == '\\') pattern.push_back('\\');
            pattern.push_back(c);
        }
        s.params.emplace_back(pattern + "%");
        const auto n = std::to_string(s.params.size());
        std::string any;
        for (auto column : r.search_columns) {
            if (!any.empty()) any += " OR ";
            any += "lower(t." + std::string(column) + ") LIKE lower($" + n + ")";
        }
        where += " AND (" + any + ")";
    }
    return where;
}

}  // namespace

pg::Statement list_statement(const Resource& r, const ListRequest& request) {
    pg::Statement s;
    std::string where = list_conditions(s, r, request);
    if (request.member_of) {
        s.params.emplace_back(*request.member_of);
        where += " AND t.id IN (SELECT m.tenant_id FROM user_tenants m WHERE m.user_id = $" +
                 std::to_string(s.params.size()) + "::uuid AND m.deleted_at IS NULL)";
    }
    const std::string key(r.key_column);
    // An optional sort column orders as if absent meant "never": last, and
    // still a total order for the keyset.
    const std::string sort = r.sort_column.empty() ? std::string()
                             : r.sort_nulls_last
                                 ? "COALESCE(t." + std::string(r.sort_column) + ", '" +
                                       (r.sort_descending ? "-infinity" : "infinity") +
                                       "'::" + std::string(r.sort_cast) + ")"
                                 : "t." + std::string(r.sort_column);
    const std::string after = r.sort_descending ? " < " : " > ";
    const std::string direction = r.sort_descending ? " DESC" : "";
    if (request.after && !sort.empty() && request.after_sort) {
        s.params.emplace_back(*request.after_sort);
        s.params.emplace_back(*request.after);
        const auto n = s.params.size();
        where += " AND (" + sort + ", t." + key + ")" + after + "($" + std::to_string(n - 1) +
                 "::" + std::string(r.sort_cast) + ", $" + std::to_string(n) + "::uuid)";
    } else if (request.after) {
        s.params.emplace_back(*request.after);
        where += " AND t." + key + after + "$" + std::to_string(s.params.size()) + "::uuid";
    }
    s.params.emplace_back(std::to_string(request.limit + 1));
    const std::string order =
        sort.empty() ? "t." + key + direction : sort + direction + ", t." + key + direction;
    const std::string cursor = sort.empty() ? "x." + key + "::text"
                                            : "encode(convert_to(x.sort_value || '~' || x." + key +
                                                  "::text, 'UTF8'), 'hex')";
    // The sort value rides along for the cursor and is taken out of the item.
    const std::string sort_value = sort.empty() ? "" : ", " + sort + "::text AS sort_value";
    const std::string item =
        sort.empty() ? "row_to_json(x)::text" : "row_to_json(x)::jsonb - 'sort_value'";
    s.sql = "SELECT " + item + ", " + cursor + " FROM (SELECT " + select_list(r) + sort_value +
            from_clause(r) + where + " ORDER BY " + order + " LIMIT $" +
            std::to_string(s.params.size()) + "::int) x";
    return s;
}

pg::Statement totals_statement(const Resource& r, const ListRequest& request,
                               const Totals& totals) {
    pg::Statement s;
    const std::string where = list_conditions(s, r, request);
    std::string groups = "{";
    for (auto group : totals.groups) {
        if (groups.size() > 1) groups += ',';
        groups += group;
    }
    s.params.emplace_back(groups + "}");
    const auto groups_param = "$" + std::to_string(s.params.size());
    s.params.emplace_back(totals.zero);
    const auto zero_param = "$" + std::to_string(s.params.size());
    const std::string group(totals.group_column);
    // numeric sums stay exact, and their text is the answer: no double on
    // the way, in the database or here.
    s.sql = "SELECT json_build_object('by_" + group + "', json_object_agg(g.value, " +
            "json_build_object('count', COALESCE(s.n, 0), 'total', COALESCE(s.total, " +
            zero_param + "::text)) ORDER BY g.ord))::text FROM unnest(" + groups_param +
            "::text[]) WITH ORDINALITY AS g(value, ord) LEFT JOIN (SELECT t." + group +
            " AS value, count(*) AS n, sum(t." + std::string(totals.sum_column) +
            ")::text AS total FROM " + std::string(r.table) + " t WHERE t.deleted_at IS NULL" +
            (r.extra_condition.empty() ? "" : " AND " + std::string(r.extra_condition)) + where +
            " GROUP BY t." + group + ") s ON s.value = g.value";
    return s;
}

std::string encode_cursor(std::string_view sort_value, std::string_view key) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string plain = std::string(sort_value) + "~" + std::string(key);
    std::string out;
    for (unsigned char c : plain) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
    return out;
}

std::optional<Cursor> decode_cursor(const Resource& r, std::string_view cursor) {
    const auto is_uuid = [](std::string_view text) { return Uuid::parse(text).has_value(); };
    if (r.sort_column.empty()) {
        if (!is_uuid(cursor)) return std::nullopt;
        return Cursor{std::nullopt, std::string(cursor)};
    }
    if (cursor.size() % 2 != 0 || cursor.size() > 512) return std::nullopt;
    std::string plain;
    for (std::size_t i = 0; i < cursor.size(); i += 2) {
        const auto nibble = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            return -1;
        };
        const int high = nibble(cursor[i]);
        const int low = nibble(cursor[i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        plain.push_back(static_cast<char>(high * 16 + low));
    }
    const auto tilde = plain.rfind('~');
    if (tilde == std::string::npos || !is_uuid(std::string_view(plain).substr(tilde + 1))) {
        return std::nullopt;
    }
    return Cursor{plain.substr(0, tilde), plain.substr(tilde + 1)};
}

}  // namespace cc::query
