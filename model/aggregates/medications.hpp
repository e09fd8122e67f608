#pragma once
#include "model/description.hpp"

namespace cc::model {

extern const Aggregate& kMedication;

}  // namespace cc::model
