#pragma once
#include "model/description.hpp"

namespace cc::model {
extern const Aggregate& kClinicalNoteCategory;
extern const Aggregate& kClinicalNote;
}  // namespace cc::model
