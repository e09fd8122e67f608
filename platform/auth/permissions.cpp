#include "platform/auth/permissions.hpp"

#include <algorithm>

namespace cc::auth {
namespace {

struct Grant {
    TenantAction action;
    std::array<std::string_view, 7> roles;  // empty entries are unused slots
};

// The matrix. Reads of the tenant itself are open to every member; changes to
// who belongs are an admin's; the audit trail is for admins and auditors
// (CQC inspectors, Caldicott guardians); managers may onboard staff accounts.
constexpr std::array kMatrix{
    Grant{TenantAction::read_tenant,
          {"admin", "manager", "clinician", "carer", "finance", "auditor", "viewer"}},
    Grant{TenantAction::update_tenant, {"admin"}},
    Grant{TenantAction::read_members, {"admin", "manager", "auditor"}},
    Grant{TenantAction::manage_members, {"admin"}},
    Grant{TenantAction::read_audit, {"admin", "auditor"}},
    Grant{TenantAction::register_user, {"admin", "manager"}},
    // Care records: those who deliver or oversee care read them; clinical
    // staff keep them current; only admins and managers remove them.
    Grant{TenantAction::read_patients, {"admin", "manager", "clinician", "carer", "auditor"}},
    Grant{TenantAction::manage_patients, {"admin", "manager", "clinician"}},
    Grant{TenantAction::delete_patients, {"admin", "manager"}},
    Grant{TenantAction::read_care_professionals,
          {"admin", "manager", "clinician", "carer", "finance", "auditor"}},
    Grant{TenantAction::manage_care_professionals, {"admin", "manager"}},
};

}  // namespace

bool role_permits(std::string_view role, TenantAction action) {
    if (role.empty()) return false;
    for (const auto& grant : kMatrix) {
        if (grant.action == action) {
            return std::find(grant.roles.begin(), grant.roles.end(), role) != grant.roles.end();
        }
    }
    return false;
}

Status authorize_tenant_action(const Caller& caller, std::optional<std::string_view> role,
                               TenantAction action) {
    if (caller.platform_admin) return {};
    if (!role) return Error::make(ErrorKind::not_found, "not-found", "tenant not found");
    if (!role_permits(*role, action)) {
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
