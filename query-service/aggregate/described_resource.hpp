#pragma once
#include "model/description.hpp"
#include "query-service/resource.hpp"

namespace cc::query {

// The resource of a described aggregate: id, tenant_id (when tenant-scoped),
// its fields, created_at and updated_at. Built once, lives for the process.
const Resource& resource_of(const model::Aggregate& aggregate);

}  // namespace cc::query
