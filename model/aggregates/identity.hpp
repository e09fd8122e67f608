#pragma once
#include "model/description.hpp"

namespace cc::model {

// The identity core. Tenants (their own tenant) and users (platform rows)
// take the generic command steps under the policies their descriptions
// name; memberships keep a PUT of their own. Fields, projection, reads and
// contracts come from these descriptions.
extern const Aggregate& kTenant;
extern const Aggregate& kUser;
extern const Aggregate& kMembership;

}  // namespace cc::model
