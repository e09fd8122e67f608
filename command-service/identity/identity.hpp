#pragma once
// The identity core on the write side. Tenants and users take the generic
// create / patch / delete steps (aggregate/commands.hpp) under the policies
// their descriptions name; the constructors below build those commands with
// typed ids. Memberships keep a PUT of their own: one row per (tenant, user),
// granted, changed, revoked and revived. The access checks every module
// reuses live here too. Pure functions of (write model, command).
#include <optional>
#include <string_view>

#include "command-service/aggregate/commands.hpp"
#include "command-service/aggregate/store.hpp"
#include "command-service/domain/decision.hpp"
#include "platform/auth/permissions.hpp"
#include "platform/core/json.hpp"

namespace cc::identity {

using command::WriteModel;

aggregate::Create create_tenant(const TenantId& id, json::Body body);
aggregate::Patch update_tenant(const TenantId& id, std::optional<std::int64_t> expected_version,
                               json::Body body);
aggregate::Delete delete_tenant(const TenantId& id, std::optional<std::int64_t> expected_version);
aggregate::Create register_user(const UserId& id, json::Body body);
aggregate::Patch update_user(const UserId& id, std::optional<std::int64_t> expected_version,
                             json::Body body);
aggregate::Delete delete_user(const UserId& id, std::optional<std::int64_t> expected_version);

// Grants a membership, or changes its role / is_primary (PUT semantics).
struct PutMembership {
    TenantId tenant;
    UserId user;
    MembershipId new_id;  // used only when no membership row exists yet
    std::optional<std::int64_t> expected_version;
    json::Body body;
};
struct RevokeMembership {
    TenantId tenant;
    UserId user;
    std::optional<std::int64_t> expected_version;
};

// The tenant or user as the write model holds it, deleted or not; nullptr
// when it never existed.
const aggregate::Record* tenant_record(const WriteModel& model, const TenantId& id);
const aggregate::Record* user_record(const WriteModel& model, const UserId& id);

// The user's role in a live tenant through a live membership.
std::optional<std::string_view> role_in(const WriteModel& model, const TenantId& tenant,
                                        const UserId& user);
// Whether any live membership of the user permits the action.
bool permitted_anywhere(const WriteModel& model, const UserId& user, auth::TenantAction action);

// Access rules every module reuses: the caller is a live user; the caller's
// role in the tenant permits the action (404 for non-members, 403 for roles).
Status require_live_caller(const WriteModel& model, const auth::Caller& caller);
Status require_tenant_action(const WriteModel& model, const auth::Caller& caller,
                             const TenantId& tenant, auth::RoleSet permitted);

// Whether the caller may take a generic step (`roles` are the step's) on the
// target under a described policy; `existing` is false for a create.
Status check_policy(const WriteModel& model, const auth::Caller& caller,
                    const aggregate::Target& target, model::Policy policy, auth::RoleSet roles,
                    bool existing);

Status authorize(const WriteModel& model, const auth::Caller& caller, const PutMembership& command);
Status authorize(const WriteModel& model, const auth::Caller& caller,
                 const RevokeMembership& command);

Result<domain::Decision> decide(const WriteModel& model, const PutMembership& command);
Result<domain::Decision> decide(const WriteModel& model, const RevokeMembership& command);

}  // namespace cc::identity
