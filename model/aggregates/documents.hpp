#pragma once
#include "model/description.hpp"

namespace cc::model {

extern const Aggregate& kDocument;

}  // namespace cc::model
