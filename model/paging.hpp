#pragma once
// How lists page, shared by the query service that enforces it and the
// OpenAPI document that publishes it.
#include <cstddef>

namespace cc::model {

// Keyset pages: ?limit= from 1 to kMaxPageSize, kDefaultPageSize when absent.
inline constexpr std::size_t kDefaultPageSize = 50;
inline constexpr std::size_t kMaxPageSize = 200;
// ?q= longer than this is refused (400) rather than scanned.
inline constexpr std::size_t kMaxSearchLength = 255;

}  // namespace cc::model
