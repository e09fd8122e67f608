#pragma once
// Reading a past state (?as_of=<name> or the CC-As-Of header): the rules,
// pure. An as-of generation (`complexcare replay`) holds every tenant's
// state at a moment; it is served read-only, with the same tenant isolation
// as current reads, to the tenant's admins and auditors (a platform
// administrator for the reads outside any tenant). Whom to let in is decided
// on the present: a member removed since that moment reads nothing, an
// auditor added since reads it.
#include <optional>
#include <string>
#include <string_view>

#include "platform/auth/permissions.hpp"
#include "platform/core/result.hpp"

namespace cc::query {

// The tenant id of /v1/tenants/{tenant_id} and the paths below it; nullopt
// for every other path.
std::optional<std::string> tenant_in_path(std::string_view path);

// Which as-of generation a request names, from the query or the header
// (nullopt: none). 400 as-of-conflict when they disagree, 400
// as-of-with-min-position when it also asks to wait for a position (a past
// state never reaches one).
Result<std::optional<std::string>> requested_as_of(std::optional<std::string> query,
                                                   std::optional<std::string> header,
                                                   bool waits_for_position);

// 403 as-of-forbidden unless the caller may read past states here: in a
// tenant, a role permitting TenantAction::read_as_of (`role`: the caller's
// role in it, nullopt for none); outside any tenant, a platform
// administrator. Asked before the name is looked up, so a caller who may
// not cannot learn which names exist.
Status may_read_as_of(const auth::Caller& caller, bool in_tenant,
                      std::optional<std::string_view> role);

// 404 as-of-unknown: no as-of generation of that name is ready.
Error unknown_as_of(std::string_view name);

}  // namespace cc::query
