#include "query-service/resource.hpp"

namespace cc::query {
namespace {

std::string select_list(const Resource& r) {
    std::string out;
    for (const auto& column : r.columns) {
        if (!out.empty()) out += ", ";
        const std::string name(column.name);
        switch (column.render) {
            case Render::timestamp:
                out += "cc_rfc3339(t." + name + ") AS " + name;
                break;
            case Render::decimal:
                out += "t." + name + "::text AS " + name;
                break;
            case Render::plain:
                out += "t." + name;
                break;
        }
    }
    return out + ", COALESCE(v.version, 1) AS version";
}

std::string from_clause(const Resource& r) {
    return " FROM " + std::string(r.table) + " t LEFT JOIN entity_versions v ON v.entity_type = '" +
           std::string(r.entity_type) + "' AND v.entity_id = t.id WHERE t.deleted_at IS NULL" +
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

pg::Statement list_statement(const Resource& r, const ListRequest& request) {
    pg::Statement s;
    std::string where;
    if (!r.tenant_column.empty()) {
        add_condition(s, where, r.tenant_column, "uuid", request.tenant_id.value_or(""));
    }
    for (const auto& [parameter, value] : request.filters) {
        for (const auto& filter : r.filters) {
            if (filter.parameter == parameter) {
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
    if (request.member_of) {
        s.params.emplace_back(*request.member_of);
        where += " AND t.id IN (SELECT m.tenant_id FROM user_tenants m WHERE m.user_id = $" +
                 std::to_string(s.params.size()) + "::uuid AND m.deleted_at IS NULL)";
    }
    const std::string key(r.key_column);
    if (request.after) {
        s.params.emplace_back(*request.after);
        where += " AND t." + key + " > $" + std::to_string(s.params.size()) + "::uuid";
    }
    s.params.emplace_back(std::to_string(request.limit + 1));
    s.sql = "SELECT row_to_json(x)::text, x." + key + "::text FROM (SELECT " + select_list(r) +
            from_clause(r) + where + " ORDER BY t." + key + " LIMIT $" +
            std::to_string(s.params.size()) + "::int) x";
    return s;
}

}  // namespace cc::query
