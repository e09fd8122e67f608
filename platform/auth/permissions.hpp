#pragma once
// Who may do what: the one place the permission matrix is written down
// (README "Roles and permissions" mirrors it). Pure: no I/O.
#include <array>
#include <optional>
#include <string_view>

#include "platform/core/result.hpp"
#include "platform/core/uuid.hpp"

namespace cc::auth {

// user_tenants.role values.
inline constexpr std::array<std::string_view, 7> kRoles{"admin",   "manager", "clinician", "carer",
                                                        "finance", "auditor", "viewer"};

// Actions inside one tenant, granted by the caller's role in that tenant.
enum class TenantAction {
    read_tenant,      // GET the tenant
    update_tenant,    // PATCH the tenant's profile
    read_members,     // list and read memberships
    manage_members,   // grant, change, revoke memberships
    read_audit,       // the tenant's audit trail
    register_user,    // create user accounts (to onboard staff)
    read_patients,    // patient records
    manage_patients,  // register and update patients
    delete_patients,  // soft-delete patients
    read_care_professionals,
    manage_care_professionals,  // create, update, delete care professionals
};

// Platform-level actions: only a platform administrator, whatever the roles.
//   create tenant, delete tenant, delete user, list all users, list all tenants.

bool role_permits(std::string_view role, TenantAction action);

// The caller once the token is verified: who, and whether a platform admin.
struct Caller {
    UserId user;
    bool platform_admin = false;
};

// The rule both services apply to a tenant-scoped request, given the
// caller's role in that tenant (nullopt: not a member, or the tenant does not
// exist). A non-member is answered exactly as for a missing tenant (404), so
// a tenant's existence does not leak; a member whose role does not permit the
// action gets 403.
Status authorize_tenant_action(const Caller& caller, std::optional<std::string_view> role,
                               TenantAction action);
Error platform_admin_required();

}  // namespace cc::auth
