#pragma once
#include "projector/projection/projection.hpp"

namespace cc::projection::aggregate {

// Any described aggregate's events, mapped by its description alone:
// created, updated, deleted, and its lifecycle actions.
std::optional<Result<Projected>> project(const events::Envelope& event);

}  // namespace cc::projection::aggregate
