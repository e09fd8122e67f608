#pragma once
#include "model/description.hpp"

namespace cc::model {

// The platform's feature catalogue (platform administrators keep it), and
// each tenant's choice of them, PUT by the feature's name.
extern const Aggregate& kFeature;
extern const Aggregate& kTenantFeature;

}  // namespace cc::model
