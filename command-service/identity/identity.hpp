#pragma once
// The identity core on the write side. Tenants, users and memberships take
// the generic steps (aggregate/commands.hpp) under the policies their
// descriptions name; the constructors below build those commands from typed
// ids. The access checks every module reuses live here too, reading the
// tenant, user and membership stores. Pure functions of the write model.
#include <optional>
#include <string_view>

#include "command-service/aggregate/commands.hpp"
#include "command-service/aggregate/store.hpp"
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

// PUT /v1/tenants/{tenant}/members/{user}: grants the membership (with
// `new_id` when the user never had one there), revives a revoked one on its
// row, or changes its role / is_primary. DELETE revokes it.
aggregate::Put put_membership(const TenantId& tenant, const UserId& user,
                              const MembershipId& new_id,
                              std::optional<std::int64_t> expected_version, json::Body body);
aggregate::Delete revoke_membership(const TenantId& tenant, const UserId& user,
                                    std::optional<std::int64_t> expected_version);

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

}  // namespace cc::identity
