#pragma once
#include "model/description.hpp"

namespace cc::model {

// The identity core. Its commands keep routes and deciders of their own
// (platform-administered tenants, users as platform rows, PUT memberships);
// fields, projection, reads and contracts come from these descriptions.
extern const Aggregate& kTenant;
extern const Aggregate& kUser;
extern const Aggregate& kMembership;

}  // namespace cc::model
