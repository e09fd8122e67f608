#pragma once
#include "model/description.hpp"

namespace cc::model {
extern const Aggregate& kPolicy;
extern const Aggregate& kRiskAssessment;
}  // namespace cc::model
