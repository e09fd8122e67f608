#pragma once
// Who may do what: the one place the permission matrix is written down
// (README "Roles and permissions" is generated from it). Pure: no I/O.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>

#include "platform/core/result.hpp"
#include "platform/core/uuid.hpp"

namespace cc::auth {

// user_tenants.role values.
inline constexpr std::array<std::string_view, 7> kRoles{"admin",   "manager", "clinician", "carer",
                                                        "finance", "auditor", "viewer"};

// A set of roles, written by name and checked at compile time: a typo in a
// permission row does not build.
class RoleSet {
  public:
    constexpr RoleSet() = default;
    consteval RoleSet(std::initializer_list<std::string_view> roles) {
        for (auto role : roles) bits_ |= bit_of(role);
    }
    static constexpr RoleSet everyone() { return RoleSet(static_cast<std::uint8_t>(0x7f)); }

    constexpr bool contains(std::string_view role) const {
        for (std::size_t i = 0; i < kRoles.size(); ++i)
            if (kRoles[i] == role) return (bits_ >> i) & 1U;
        return false;
    }
    constexpr bool empty() const { return bits_ == 0; }
    constexpr bool operator==(const RoleSet&) const = default;

  private:
    constexpr explicit RoleSet(std::uint8_t bits) : bits_(bits) {}
    static constexpr std::uint8_t bit_of(std::string_view role) {
        for (std::size_t i = 0; i < kRoles.size(); ++i)
            if (kRoles[i] == role) return static_cast<std::uint8_t>(1U << i);
        throw "unknown role";  // in a consteval context: a compile error
    }
    std::uint8_t bits_ = 0;
};

// Actions inside one tenant, granted by the caller's role in that tenant.
enum class TenantAction {
    read_tenant,     // GET the tenant
    update_tenant,   // PATCH the tenant's profile
    read_members,    // list and read memberships
    manage_members,  // grant, change, revoke memberships
    read_audit,      // the tenant's audit trail
    register_user,   // create user accounts (to onboard staff)
    read_as_of,      // read the tenant's state as of a past moment (?as_of=)
};
// Care records and every other aggregate carry their own permission rows in
// their description (model/).

// Platform-level actions: only a platform administrator, whatever the roles.
//   create tenant, delete tenant, delete user, list all users, list all tenants.

RoleSet permitted_roles(TenantAction action);
bool role_permits(std::string_view role, TenantAction action);

// One row of the matrix, with the words the README's permission table
// prints for it (that table is generated from these rows).
struct Grant {
    TenantAction action;
    RoleSet roles;
    std::string_view summary;
};
std::span<const Grant> permission_matrix();

// The caller once the token is verified: who, and whether a platform admin.
struct Caller {
    UserId user;
    bool platform_admin = false;
};

// Who besides the tenant's members may act: platform administrators keep
// the tenant's profile and members (platform administration), but its
// records are its members' alone (DESIGN.md, "Decisions taken so far").
enum class Administration : std::uint8_t { members, platform };
Administration administration_of(TenantAction action);

// The rule both services apply to a tenant-scoped request, given the
// caller's role in that tenant (nullopt: not a member, or the tenant does not
// exist). A non-member is answered exactly as for a missing tenant (404), so
// a tenant's existence does not leak, a platform administrator included
// unless the action is platform administration; a member whose role does
// not permit the action gets 403.
Status authorize_tenant_action(const Caller& caller, std::optional<std::string_view> role,
                               RoleSet permitted,
                               Administration administration = Administration::members);
Error platform_admin_required();
// 403 feature-disabled: the tenant has turned off the module `feature`
// (named in the detail and in errors[].message), on both services alike.
Error feature_disabled(std::string_view feature);

}  // namespace cc::auth
