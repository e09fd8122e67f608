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

}  // namespace cc::model
