#pragma once
// The identity core's event types (payload schemas: events/schemas/<Type>.v1.schema.json).
#include <string_view>

namespace cc::events::identity {

inline constexpr std::string_view kTenant = "tenant";
inline constexpr std::string_view kUser = "user";
inline constexpr std::string_view kMembership = "membership";

inline constexpr std::string_view kTenantCreated = "TenantCreated";
inline constexpr std::string_view kTenantUpdated = "TenantUpdated";
inline constexpr std::string_view kTenantDeleted = "TenantDeleted";
inline constexpr std::string_view kUserRegistered = "UserRegistered";
inline constexpr std::string_view kUserUpdated = "UserUpdated";
inline constexpr std::string_view kUserDeleted = "UserDeleted";
inline constexpr std::string_view kMembershipGranted = "MembershipGranted";
inline constexpr std::string_view kMembershipRoleChanged = "MembershipRoleChanged";
inline constexpr std::string_view kMembershipRevoked = "MembershipRevoked";

}  // namespace cc::events::identity
