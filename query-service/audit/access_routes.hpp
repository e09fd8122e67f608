#pragma once
// Which reads reveal whose records, derived from the aggregate descriptions
// (model/), so that an aggregate described later is audited with no work of
// its own. Patient-identifiable: the patient aggregate, and every aggregate
// with a reference to it (a visit, a care plan, a note, a document, ...),
// and the tenant's audit trail, whose rows carry those records' values.
// Pure: the audited handler (audited.hpp) asks it about a matched route.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/description.hpp"

namespace cc::query {

struct AuditedRoute {
    enum class Shape {
        item,  // one entity, named in the path: GET .../{id}, its history, its content
        list,  // a page of entities: a list, a search, a nested list
    };
    // The described aggregate whose rows it reads; none for a read no
    // description covers (the audit trail).
    const model::Aggregate* aggregate = nullptr;
    std::string entity_type;  // the aggregate's name, or what the read shows
    Shape shape = Shape::item;
    std::string id_param;  // of an item: the path parameter naming it
    // Answers patient-identifiable data: its answers are recorded as views
    // and searches. Refusals are recorded on every described route.
    bool identifiable = false;
};

class AccessRoutes {
  public:
    explicit AccessRoutes(std::span<const model::Aggregate* const> aggregates);

    // The route `pattern` (a Router pattern such as
    // /v1/tenants/{tenant_id}/patients/{patient_id}/history) reads, if a
    // described aggregate's.
    std::optional<AuditedRoute> find(std::string_view pattern) const;

    // The patient aggregate, and those that refer to it.
    static bool patient_identifiable(const model::Aggregate& aggregate);

  private:
    struct Entry {
        std::string pattern;
        bool prefix;  // also matches what lies under it (an item's sub-resources)
        AuditedRoute route;
    };
    std::vector<Entry> entries_;  // exact patterns first, then prefixes
};

// The path parameters `path` binds to `pattern`, or nothing when they do
// not match: for a request the router never dispatched (refused by
// authentication first).
std::optional<std::vector<std::pair<std::string, std::string>>> path_parameters(
    std::string_view pattern, std::string_view path);

}  // namespace cc::query
