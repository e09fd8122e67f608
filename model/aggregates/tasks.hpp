#pragma once
#include "model/description.hpp"

namespace cc::model {

extern const Aggregate& kTask;

}  // namespace cc::model
