#include "query-service/audit/access_routes.hpp"

#include <algorithm>

namespace cc::query {
namespace {

constexpr std::string_view kPatientTable = "patients";
constexpr std::string_view kAuditTrail = "/v1/tenants/{tenant_id}/audit-logs";

std::vector<std::string_view> segments(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        if (text.front() == '/') {
            text.remove_prefix(1);
            continue;
        }
        const auto end = text.find('/');
        out.push_back(text.substr(0, end));
        if (end == std::string_view::npos) break;
        text.remove_prefix(end);
    }
    return out;
}

std::string tenant_collection(const model::Aggregate& a) {
    return "/v1/tenants/{tenant_id}/" + std::string(a.collection);
}

}  // namespace

bool AccessRoutes::patient_identifiable(const model::Aggregate& aggregate) {
    if (aggregate.table == kPatientTable) return true;
    return std::any_of(aggregate.fields.begin(), aggregate.fields.end(), [](const auto& field) {
        if (field.type != model::FieldType::reference) return false;
        const auto* target = model::find_aggregate(field.references);
        return target != nullptr && target->table == kPatientTable;
    });
}

AccessRoutes::AccessRoutes(std::span<const model::Aggregate* const> aggregates) {
    std::vector<Entry> prefixes;
    for (const auto* a : aggregates) {
        if (!a->tenant_data()) continue;
        const bool identifiable = patient_identifiable(*a);
        const auto collection = tenant_collection(*a);
        const std::string name(a->name);
        entries_.push_back(
            {collection, false, {a, name, AuditedRoute::Shape::list, {}, identifiable}});
        for (const auto& nested : a->nested) {
            const auto* parent = model::find_aggregate(nested.parent);
            if (parent == nullptr) continue;
            entries_.push_back({tenant_collection(*parent) + "/{" + std::string(parent->id_param) +
                                    "}/" + std::string(a->collection),
                                false,
                                {a, name, AuditedRoute::Shape::list, {}, identifiable}});
        }
        const std::string id_param(a->id_param);
        prefixes.push_back({collection + "/{" + id_param + "}",
                            true,
                            {a, name, AuditedRoute::Shape::item, id_param, identifiable}});
    }
    // The audit trail shows the old and new values of every change, patients'
    // included: reading it is a search of its rows.
    entries_.push_back({std::string(kAuditTrail),
                        false,
                        {nullptr, "audit_log", AuditedRoute::Shape::list, {}, true}});
    for (auto& entry : prefixes) entries_.push_back(std::move(entry));
}

std::optional<AuditedRoute> AccessRoutes::find(std::string_view pattern) const {
    for (const auto& entry : entries_) {
        if (pattern == entry.pattern) return entry.route;
        if (entry.prefix && pattern.starts_with(entry.pattern) &&
            pattern.size() > entry.pattern.size() && pattern[entry.pattern.size()] == '/') {
            return entry.route;
        }
    }
    return std::nullopt;
}

std::optional<std::vector<std::pair<std::string, std::string>>> path_parameters(
    std::string_view pattern, std::string_view path) {
    const auto names = segments(pattern);
    const auto values = segments(path);
    if (names.size() != values.size()) return std::nullopt;
    std::vector<std::pair<std::string, std::string>> out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const auto name = names[i];
        if (name.size() > 2 && name.front() == '{' && name.back() == '}') {
            out.emplace_back(std::string(name.substr(1, name.size() - 2)), std::string(values[i]));
        } else if (name != values[i]) {
            return std::nullopt;
        }
    }
    return out;
}

}  // namespace cc::query
