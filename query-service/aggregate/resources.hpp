#pragma once
// Read resources derived from the aggregate descriptions: columns, filters,
// search, and the GET routes of every tenant-scoped aggregate.
#include "model/description.hpp"
#include "platform/http/router.hpp"
#include "query-service/access.hpp"
#include "query-service/aggregate/described_resource.hpp"
#include "query-service/read_api.hpp"
#include "query-service/resource.hpp"

namespace cc::query {

// GET /v1/tenants/{tenant_id}/<collection>[/{id}] for every tenant-scoped
// aggregate on the generic commands, behind its read permission.
void add_aggregate_routes(http::Router& router, ReadApi& api, Access& access);

// Every version of one item, from the audit rows filed under `tenant_id`;
// 404 for an item with none.
http::Response history_answer(ReadApi& api, const http::Request& request, const model::Aggregate& a,
                              const std::string& tenant_id, const std::string& id);
// GET .../<collection>/{<id_param>}/history: every version of one item,
// from the audit trail, behind `permitted` (and the aggregate's feature).
void add_history(http::Router& router, ReadApi& api, Access& access, const model::Aggregate& a,
                 auth::RoleSet permitted,
                 auth::Administration administration = auth::Administration::members);

}  // namespace cc::query
