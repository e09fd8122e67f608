#pragma once
#include "projector/projection/projection.hpp"

namespace cc::projection::care {

// patients and care_professionals from the care events.
std::optional<Result<Projected>> project(const events::Envelope& event);

}  // namespace cc::projection::care
