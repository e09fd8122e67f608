#include "query-service/aggregate/resources.hpp"

#include <map>
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
        case model::FilterOp::equals:
            break;
    }
    return "=";
}

// Columns that every documented table has besides the fields.
const model::Field kId{.name = "id", .type = model::FieldType::reference};
const model::Field kCreatedAt{.name = "created_at", .type = model::FieldType::timestamp};
const model::Field kUpdatedAt{.name = "updated_at", .type = model::FieldType::timestamp};

const model::Field* column_field(const model::Aggregate& a, std::string_view name) {
    if (name == "id") return &kId;
    if (name == "created_at") return &kCreatedAt;
    if (name == "updated_at") return &kUpdatedAt;
    return a.field(name);
}

struct Owned {
    std::vector<Column> columns;
    std::vector<Filter> filters;
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
        out.columns.push_back({field.name, render});
    }
    out.columns.push_back({"created_at", Render::timestamp});
    out.columns.push_back({"updated_at", Render::timestamp});
    for (const auto& filter : a.filters) {
        const auto* field = column_field(a, filter.field);
        // A description naming a column it lacks is a programming error.
        if (field == nullptr)
            throw std::logic_error("unknown filter field " + std::string(filter.field));
        const auto cast = field->type == model::FieldType::text_array ? "text" : cast_of(*field);
        out.filters.push_back(
            {filter.parameter, filter.field, cast, filter.normalise, op_of(filter.op)});
    }
    return out;
}

}  // namespace

const Resource& resource_of(const model::Aggregate& a) {
    static const auto resources = [] {
        std::map<std::string_view, Owned> out;
        for (const auto* described : model::aggregates()) {
            auto& owned = out[described->name] = build(*described);
            owned.resource = Resource{
                .entity_type = described->name,
                .table = described->table,
                .columns = owned.columns,
                .tenant_column = described->scope == model::Scope::tenant ? "tenant_id" : "",
                .filters = owned.filters,
                .search_columns = described->search,
                .sort_column = described->sort,
                .sort_cast = described->sort.empty()
                                 ? std::string_view{}
                                 : cast_of(*column_field(*described, described->sort)),
            };
        }
        return out;
    }();
    return resources.at(a.name).resource;
}

void add_aggregate_routes(http::Router& router, ReadApi& api, Access& access) {
    for (const auto* a : model::aggregates()) {
        if (!a->generic_commands || a->scope != model::Scope::tenant) continue;
        add_tenant_resource_routes(router, api, access, std::string(a->collection),
                                   std::string(a->id_param), resource_of(*a), a->permissions.read);
    }
}

}  // namespace cc::query
