#pragma once
#include "model/description.hpp"

namespace cc::model {

extern const Aggregate& kPatient;
extern const Aggregate& kCareProfessional;

}  // namespace cc::model
