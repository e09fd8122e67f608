#include "platform/auth/permissions.hpp"

namespace cc::auth {
namespace {

// The matrix. Reads of the tenant itself are open to every member; changes to
// who belongs are an admin's; the audit trail is for admins and auditors
// (CQC inspectors, Caldicott guardians); managers may onboard staff accounts.
constexpr std::array kMatrix{
    Grant{TenantAction::read_tenant, RoleSet::everyone(),
          "read the tenant (`GET /v1/tenants/{id}`, listed in `GET /v1/tenants`)"},
    Grant{TenantAction::update_tenant, {"admin"}, "update the tenant (`PATCH`)"},
    Grant{TenantAction::read_members, {"admin", "manager", "auditor"}, "read memberships"},
    Grant{TenantAction::manage_members, {"admin"}, "grant, change, revoke memberships"},
    Grant{TenantAction::read_audit, {"admin", "auditor"}, "read the tenant's audit log"},
    Grant{TenantAction::register_user,
          {"admin", "manager"},
          "register user accounts (`POST /v1/users`)"},
    Grant{TenantAction::read_as_of,
          {"admin", "auditor"},
          "read a past state (`?as_of=`, made by `complexcare replay`)"},
};

}  // namespace

RoleSet permitted_roles(TenantAction action) {
    for (const auto& grant : kMatrix)
        if (grant.action == action) return grant.roles;
    return {};
}

bool role_permits(std::string_view role, TenantAction action) {
    return permitted_roles(action).contains(role);
}

std::span<const Grant> permission_matrix() {
    return kMatrix;
}

Status authorize_tenant_action(const Caller& caller, std::optional<std::string_view> role,
                               RoleSet permitted, Administration administration) {
    // Platform administration (the tenant's profile and members) is not
    // access to its records: there, a platform administrator who is no
    // member is answered as anyone else.
    if (caller.platform_admin && administration == Administration::platform) return {};
    if (!role) return Error::make(ErrorKind::not_found, "not-found", "tenant not found");
    if (!permitted.contains(*role)) {
        return Error::make(ErrorKind::forbidden, "forbidden",
                           "your role '" + std::string(*role) + "' does not permit this");
    }
    return {};
}

Administration administration_of(TenantAction action) {
    switch (action) {
        case TenantAction::read_tenant:
        case TenantAction::update_tenant:
        case TenantAction::read_members:
        case TenantAction::manage_members:
            return Administration::platform;
        case TenantAction::read_audit:  // the trail holds the records' changes
        case TenantAction::register_user:
        case TenantAction::read_as_of:
            break;
    }
    return Administration::members;
}

Error platform_admin_required() {
    return Error::make(ErrorKind::forbidden, "platform-admin-required",
                       "only a platform administrator may do this");
}

Error feature_disabled(std::string_view feature) {
    Error error = Error::make(ErrorKind::forbidden, "feature-disabled",
                              "the " + std::string(feature) + " feature is off for this tenant");
    error.fields.push_back({"feature", "disabled", std::string(feature)});
    return error;
}

}  // namespace cc::auth
