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

// The item key of `column` when the item carries it as stored (a plain
// column of the row), so the cursor reads it there.
std::optional<std::string> plain_item_key(const Resource& r, std::string_view column) {
    for (const auto& c : r.columns) {
        if (c.name == column && c.from == "t" && c.render == Render::plain) {
            return std::string(c.as.empty() ? c.name : c.as);
        }
    }
    return std::nullopt;
}

// One column of a list's keyset order: the SQL it sorts by, the cast of a
// cursor's value for it, and where the page's last row holds that value:
// in the item, or in a column that rides along for the cursor and is taken
// out of the item (`carried_as`).
struct OrderColumn {
    std::string expression;
    std::string cast;
    std::string value;  // the row's value in the outer select, as text
    std::string carried_as = {};
};

OrderColumn order_column(const Resource& r, std::string expression, std::string_view column,
                         std::string_view cast, bool read_from_item, std::string_view carried_as) {
    OrderColumn order{std::move(expression), std::string(cast), {}};
    if (auto key = read_from_item ? plain_item_key(r, column) : std::nullopt) {
        order.value = "x." + *key + "::text";
    } else {
        order.carried_as = std::string(carried_as);
        order.value = "x." + order.carried_as;
    }
    return order;
}

// The sort columns of `r` before its key: none, (sort) or (sort, then).
std::vector<OrderColumn> sort_order(const Resource& r) {
    std::vector<OrderColumn> order;
    if (r.sort_column.empty()) return order;
    // An optional sort column orders as if absent meant "never": last, and
    // still a total order for the keyset.
    const std::string column = "t." + std::string(r.sort_column);
    const std::string sort = r.sort_nulls_last
                                 ? "COALESCE(" + column + ", '" +
                                       (r.sort_descending ? "-infinity" : "infinity") +
                                       "'::" + std::string(r.sort_cast) + ")"
                                 : column;
    order.push_back(
        order_column(r, sort, r.sort_column, r.sort_cast, !r.sort_nulls_last, "sort_value"));
    if (!r.then_column.empty()) {
        order.push_back(order_column(r, "t." + std::string(r.then_column), r.then_column,
                                     r.then_cast, true, "then_value"));
    }
    return order;
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
    const auto order = sort_order(r);
    const std::string after = r.sort_descending ? " < " : " > ";
    const std::string direction = r.sort_descending ? " DESC" : "";
    const auto placeholder = [&](std::string value, std::string_view cast) {
        s.params.emplace_back(std::move(value));
        return "$" + std::to_string(s.params.size()) + "::" + std::string(cast);
    };
    const bool sorted_cursor =
        !order.empty() && request.after_sort && (order.size() == 1 || request.after_then);
    if (request.after && sorted_cursor) {
        // A row comparison: the rows after (sort, [then,] key) in the order.
        std::string columns;
        std::string values;
        for (std::size_t i = 0; i < order.size(); ++i) {
            columns += order[i].expression + ", ";
            values +=
                placeholder(i == 0 ? *request.after_sort : *request.after_then, order[i].cast) +
                ", ";
        }
        where += " AND (" + columns + "t." + key + ")" + after + "(" + values +
                 placeholder(*request.after, "uuid") + ")";
    } else if (request.after) {
        where += " AND t." + key + after + placeholder(*request.after, "uuid");
    }
    s.params.emplace_back(std::to_string(request.limit + 1));
    std::string order_by;
    std::string extras;
    std::string removed;
    for (const auto& column : order) {
        order_by += column.expression + direction + ", ";
        if (!column.carried_as.empty()) {
            extras += ", " + column.expression + "::text AS " + column.carried_as;
            removed += " - '" + column.carried_as + "'";
        }
    }
    order_by += "t." + key + direction;
    // The cursor's text: the key alone, or the sort values and the key.
    std::string cursor = "x." + key + "::text";
    if (order.size() == 1) {
        cursor = "encode(convert_to(" + order[0].value + " || '~' || x." + key +
                 "::text, 'UTF8'), 'hex')";
    } else if (order.size() == 2) {
        cursor = "encode(convert_to(" + order[0].value +
                 ", 'UTF8') || '\\x00'::bytea || convert_to(" + order[1].value + " || '~' || x." +
                 key + "::text, 'UTF8'), 'hex')";
    }
    const std::string item =
        removed.empty() ? "row_to_json(x)::text" : "row_to_json(x)::jsonb" + removed;
    s.sql = "SELECT " + item + ", " + cursor + " FROM (SELECT " + select_list(r) + extras +
            from_clause(r) + where + " ORDER BY " + order_by + " LIMIT $" +
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

std::optional<Cursor> decode_cursor(const Resource& r, std::string_view text) {
    const auto is_uuid = [](std::string_view id) { return Uuid::parse(id).has_value(); };
    if (r.sort_column.empty()) {
        if (!is_uuid(text)) return std::nullopt;
        return Cursor{std::nullopt, std::string(text), std::nullopt};
    }
    // Two names of 255 characters, of up to 4 bytes each, and a key.
    constexpr std::size_t kLongest = 2 * (2 * 255 * 4 + 1 + 1 + 36);
    if (text.size() % 2 != 0 || text.size() > kLongest) return std::nullopt;
    std::string plain;
    for (std::size_t i = 0; i < text.size(); i += 2) {
        const auto nibble = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            return -1;
        };
        const int high = nibble(text[i]);
        const int low = nibble(text[i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        plain.push_back(static_cast<char>(high * 16 + low));
    }
    const auto tilde = plain.rfind('~');
    if (tilde == std::string::npos || !is_uuid(std::string_view(plain).substr(tilde + 1))) {
        return std::nullopt;
    }
    Cursor cursor{plain.substr(0, tilde), plain.substr(tilde + 1), std::nullopt};
    if (!r.then_column.empty()) {
        const auto nul = cursor.sort_value->find('\0');
        if (nul == std::string::npos) return std::nullopt;
        cursor.then_value = cursor.sort_value->substr(nul + 1);
        cursor.sort_value->resize(nul);
    }
    return cursor;
}

}  // namespace cc::query
