#pragma once
#include "model/description.hpp"

namespace cc::model {

extern const Aggregate& kCarePlan;

}  // namespace cc::model
