#pragma once
#include "model/description.hpp"

namespace cc::model {

// The identity core, on the generic command steps like every aggregate:
// tenants (their own tenant) and users (platform rows) under the policies
// their descriptions name, memberships PUT by their user. Its reads and
// published contracts keep routes of their own.
extern const Aggregate& kTenant;
extern const Aggregate& kUser;
extern const Aggregate& kMembership;

// The fields of a member's account (users) that a membership is read with,
// so front ends show colleagues by name: null once the account is deleted.
extern const std::span<const std::string_view> kMemberAccountFields;

}  // namespace cc::model
