// The read resource of each described aggregate: pure, so the projection
// tests read their rows with the query service's own SQL.
#include "query-service/aggregate/described_resource.hpp"

#include <map>
#include <stdexcept>
#include <vector>

namespace cc::query {
namespace {

std::string_view cast_of(const model::Field& field) {
    switch (field.type) {
        case model::FieldType::date:
            return "date";
        case model::FieldType::timestamp:
            return "timestamptz";
        case model::FieldType::decimal:
            return "numeric";
        case model::FieldType::integer:
            return "int";
        case model::FieldType::boolean:
            return "boolean";
        case model::FieldType::reference:
            return "uuid";
        default:
            return "text";
    }
}

std::string_view op_of(model::FilterOp op) {
    switch (op) {
        case model::FilterOp::at_least:
            return ">=";
        case model::FilterOp::before:
            return "<";
        case model::FilterOp::contains:
            return "@>";
        case model::FilterOp::holds:
            return "holds";
        case model::FilterOp::on:
            return "on";
        case model::FilterOp::equals:
            break;
    }
    return "=";
}

// The field a keyset order names ("" for none).
const model::Field* keyset_field(const model::Aggregate& a, std::string_view name) {
    return name.empty() ? nullptr : model::column_field(a, name);
}

struct Owned {
    std::vector<Column> columns;
    std::vector<Filter> filters;
    std::vector<std::string_view> search;
    Resource resource;
};

Owned build(const model::Aggregate& a) {
    Owned out;
    out.columns.push_back({"id"});
    if (a.scope == model::Scope::tenant) out.columns.push_back({"tenant_id"});
    for (const auto& field : a.fields) {
        const auto render = field.type == model::FieldType::timestamp ? Render::timestamp
                            : field.type == model::FieldType::decimal ? Render::decimal
                                                                      : Render::plain;
        out.columns.push_back({field.column_name(), render, field.name});
    }
    for (const auto name : a.search)
        out.search.push_back(model::column_field(a, name)->column_name());
    out.columns.push_back({"created_at", Render::timestamp});
    out.columns.push_back({"updated_at", Render::timestamp});
    for (const auto& filter : a.filters) {
        const auto* field = model::column_field(a, filter.field);
        // A description naming a column it lacks is a programming error.
        if (field == nullptr)
            throw std::logic_error("unknown filter field " + std::string(filter.field));
        // A holds filter takes true or false, whatever its column's type.
        const auto cast = filter.op == model::FilterOp::holds           ? "boolean"
                          : field->type == model::FieldType::text_array ? "text"
                                                                        : cast_of(*field);
        out.filters.push_back({filter.parameter, field->column_name(), cast, filter.normalise,
                               op_of(filter.op), filter.when_true,
                               field->references == model::kTenantMember});
    }
    return out;
}

}  // namespace

const Resource& resource_of(const model::Aggregate& a) {
    static const auto resources = [] {
        std::map<std::string_view, Owned> out;
        for (const auto* described : model::aggregates()) {
            auto& owned = out[described->name] = build(*described);
            const auto* sort = keyset_field(*described, described->sort);
            const auto* then = keyset_field(*described, described->then_sort);
            owned.resource = Resource{
                .entity_type = described->name,
                .table = described->table,
                .columns = owned.columns,
                .tenant_column = described->scope == model::Scope::tenant ? "tenant_id" : "",
                .filters = owned.filters,
                .search_columns = owned.search,
                .sort_column = sort ? sort->column_name() : std::string_view{},
                .sort_cast = sort ? cast_of(*sort) : std::string_view{},
                .then_column = then ? then->column_name() : std::string_view{},
                .then_cast = then ? cast_of(*then) : std::string_view{},
                .sort_nulls_last = sort && !sort->required,
                .soft_delete = described->soft_delete,
                .sort_descending = described->sort_descending,
            };
        }
        return out;
    }();
    return resources.at(a.name).resource;
}

}  // namespace cc::query
