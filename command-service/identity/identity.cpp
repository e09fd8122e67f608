#include "command-service/identity/identity.hpp"

#include "command-service/write_model.hpp"
#include "model/aggregates/identity.hpp"

namespace cc::identity {
namespace {

aggregate::Target target(const model::Aggregate& aggregate, const Uuid& id,
                         const TenantId& tenant = kPlatformTenant) {
    return {&aggregate, aggregate::filed_under(aggregate, id, tenant), id, UserId(),
            Timestamp::now()};
}

const aggregate::Store& memberships(const WriteModel& m) {
    return *m.entities.of(model::kMembership.name);
}

const aggregate::Record* record_of(const WriteModel& m, const model::Aggregate& a, const Uuid& id) {
    return m.entities.of(a.name)->find(aggregate::filed_under(a, id, kPlatformTenant), id);
}

bool live(const aggregate::Record* record) {
    return record != nullptr && !record->deleted;
}

}  // namespace

aggregate::Create create_tenant(const TenantId& id, json::Body body) {
    return {target(model::kTenant, id.uuid()), std::move(body)};
}
aggregate::Patch update_tenant(const TenantId& id, std::optional<std::int64_t> expected_version,
                               json::Body body) {
    return {target(model::kTenant, id.uuid()), expected_version, std::move(body)};
}
aggregate::Delete delete_tenant(const TenantId& id, std::optional<std::int64_t> expected_version) {
    return {target(model::kTenant, id.uuid()), expected_version};
}
aggregate::Create register_user(const UserId& id, json::Body body) {
    return {target(model::kUser, id.uuid()), std::move(body)};
}
aggregate::Patch update_user(const UserId& id, std::optional<std::int64_t> expected_version,
                             json::Body body) {
    return {target(model::kUser, id.uuid()), expected_version, std::move(body)};
}
aggregate::Delete delete_user(const UserId& id, std::optional<std::int64_t> expected_version) {
    return {target(model::kUser, id.uuid()), expected_version};
}

aggregate::Put put_membership(const TenantId& tenant, const UserId& user,
                              const MembershipId& new_id,
                              std::optional<std::int64_t> expected_version, json::Body body) {
    return {target(model::kMembership, user.uuid(), tenant),
            new_id.uuid(),
            {},
            expected_version,
            std::move(body)};
}
aggregate::Delete revoke_membership(const TenantId& tenant, const UserId& user,
                                    std::optional<std::int64_t> expected_version) {
    return {target(model::kMembership, user.uuid(), tenant), expected_version};
}

const aggregate::Record* tenant_record(const WriteModel& m, const TenantId& id) {
    return record_of(m, model::kTenant, id.uuid());
}
const aggregate::Record* user_record(const WriteModel& m, const UserId& id) {
    return record_of(m, model::kUser, id.uuid());
}

std::optional<std::string_view> role_in(const WriteModel& m, const TenantId& tenant,
                                        const UserId& user) {
    if (!live(tenant_record(m, tenant))) return std::nullopt;
    const auto& store = memberships(m);
    const auto id = store.named(tenant, user.to_string());
    const auto* membership = id ? store.find(tenant, *id) : nullptr;
    if (!live(membership)) return std::nullopt;
    return store.kept(*membership, "role");
}

bool permitted_anywhere(const WriteModel& m, const UserId& user, auth::TenantAction action) {
    const auto& store = memberships(m);
    const auto id = user.to_string();
    for (const auto& [_, membership] : store.records()) {
        if (!live(&membership) || store.kept(membership, "user_id") != id) continue;
        const auto role = role_in(m, membership.tenant, user);
        if (role && auth::role_permits(*role, action)) return true;
    }
    return false;
}

using auth::Caller;
using auth::TenantAction;

Status require_live_caller(const WriteModel& m, const Caller& caller) {
    if (!live(user_record(m, caller.user))) {
        return Error::make(ErrorKind::unauthorized, "user-unknown",
                           "the token's subject is not an active user");
    }
    return {};
}

Status require_tenant_action(const WriteModel& m, const Caller& caller, const TenantId& tenant,
                             auth::RoleSet permitted) {
    if (auto s = require_live_caller(m, caller); !s) return s;
    return auth::authorize_tenant_action(caller, role_in(m, tenant, caller.user), permitted);
}

namespace {

// Users are not tenant data: a caller sees only their own account unless a
// platform admin, and anyone else's is answered as missing.
Status own_account(const WriteModel& m, const Caller& caller, const UserId& target) {
    if (auto s = require_live_caller(m, caller); !s) return s;
    if (caller.platform_admin || caller.user == target) return {};
    return domain::not_found("user");
}

// Whether the caller may know the row exists: a tenant's members may (they
// learn of a refusal as 403), anyone else is answered as for a missing row.
Status may_see(const WriteModel& m, const Caller& caller, const aggregate::Target& t) {
    // Accounts are private to their users; the rest of the platform's rows
    // (the feature catalogue) any user may know of.
    if (t.aggregate->scope == model::Scope::platform) {
        return t.aggregate->policies.update == model::Policy::own_account
                   ? own_account(m, caller, UserId(t.id))
                   : require_live_caller(m, caller);
    }
    return require_tenant_action(m, caller, t.tenant, t.aggregate->permissions.read);
}

// Whether the user already belongs to a tenant the caller is a member of,
// or is the caller's own registration that belongs to no tenant yet: what a
// tenant role may enrol without revealing that any other account exists.
bool may_enrol(const WriteModel& m, const UserId& caller, const UserId& user) {
    if (!live(user_record(m, user))) return false;
    const auto& store = memberships(m);
    const auto id = user.to_string();
    bool belongs_anywhere = false;
    for (const auto& [_, membership] : store.records()) {
        if (!live(&membership) || store.kept(membership, "user_id") != id) continue;
        if (!role_in(m, membership.tenant, user)) continue;  // its tenant is deleted
        if (role_in(m, membership.tenant, caller)) return true;
        belongs_anywhere = true;
    }
    return !belongs_anywhere && m.registrations.registrar_of(user) == caller;
}

}  // namespace

Status check_policy(const WriteModel& m, const Caller& caller, const aggregate::Target& t,
                    model::Policy policy, auth::RoleSet roles, bool existing) {
    switch (policy) {
        case model::Policy::tenant_role:
            return require_tenant_action(m, caller, t.tenant, roles);
        case model::Policy::platform_admin: {
            if (caller.platform_admin) return require_live_caller(m, caller);
            // Members learn the row exists (403); anyone else is answered 404.
            auto seen = existing ? may_see(m, caller, t) : require_live_caller(m, caller);
            if (!seen) return seen;
            return auth::platform_admin_required();
        }
        case model::Policy::own_account:
            return own_account(m, caller, UserId(t.id));
        case model::Policy::tenant_role_or_platform_admin:
            if (caller.platform_admin) return require_live_caller(m, caller);
            return require_tenant_action(m, caller, t.tenant, roles);
        case model::Policy::enrolment: {
            if (caller.platform_admin) return require_live_caller(m, caller);
            if (auto s = require_tenant_action(m, caller, t.tenant, roles); !s) return s;
            // Exactly the answer a user id that names no account gets.
            if (!may_enrol(m, caller.user, UserId(t.id))) return domain::not_found("user");
            return {};
        }
        case model::Policy::registrar:
            if (auto s = require_live_caller(m, caller); !s) return s;
            if (caller.platform_admin ||
                permitted_anywhere(m, caller.user, TenantAction::register_user)) {
                return {};
            }
            return Error::make(ErrorKind::forbidden, "forbidden",
                               "registering users needs the admin or manager role in a tenant");
    }
    return Error::make(ErrorKind::internal, "policy-unknown", "no such access policy");
}

}  // namespace cc::identity
