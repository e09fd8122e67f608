#pragma once
#include "projector/projection/projection.hpp"

namespace cc::projection::identity {

// user_tenants from the membership events: a grant revives a revoked row.
std::optional<Result<Projected>> project(const events::Envelope& event);

}  // namespace cc::projection::identity
