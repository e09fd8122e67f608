#pragma once
#include "model/description.hpp"

namespace cc::model {

extern const Aggregate& kAppointment;

}  // namespace cc::model
