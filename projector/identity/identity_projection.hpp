#pragma once
#include "projector/projection/projection.hpp"

namespace cc::projection::identity {

// tenants, users and user_tenants from the identity events.
std::optional<Result<Projected>> project(const events::Envelope& event);

}  // namespace cc::projection::identity
