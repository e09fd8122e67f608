#include "platform/auth/permissions.hpp"

namespace cc::auth {
namespace {

struct Grant {
    TenantAction action;
    RoleSet roles;
};

// The matrix. Reads of the tenant itself are open to every member; changes to
// who belongs are an admin's; the audit trail is for admins and auditors
// (CQC inspectors, Caldicott guardians); managers may onboard staff accounts.
constexpr std::array kMatrix{
    Grant{TenantAction::read_tenant, RoleSet::everyone()},
    Grant{TenantAction::update_tenant, {"admin"}},
    Grant{TenantAction::read_members, {"admin", "manager", "auditor"}},
    Grant{TenantAction::manage_members, {"admin"}},
    Grant{TenantAction::read_audit, {"admin", "auditor"}},
    Grant{TenantAction::register_user, {"admin", "manager"}},
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

Status authorize_tenant_action(const Caller& caller, std::optional<std::string_view> role,
                               RoleSet permitted) {
    if (caller.platform_admin) return {};
    if (!role) return Error::make(ErrorKind::not_found, "not-found", "tenant not found");
    if (!permitted.contains(*role)) {
        return Error::make(ErrorKind::forbidden, "forbidden",
                           "your role '" + std::string(*role) + "' does not permit this");
    }
    return {};
}

Error platform_admin_required() {
    return Error::make(ErrorKind::forbidden, "platform-admin-required",
                       "only a platform administrator may do this");
}

}  // namespace cc::auth
