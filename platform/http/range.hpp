#pragma once
// HTTP Range requests (RFC 9110 §14) for one byte range: what a client
// resuming a download or a viewer seeking in a PDF sends. Pure.
#include <cstdint>
#include <string>
#include <string_view>

namespace cc::http {

struct ByteRange {
    std::uint64_t first = 0;
    std::uint64_t last = 0;  // inclusive
    std::uint64_t length() const { return last - first + 1; }
};

enum class RangeKind {
    none,           // no Range, or one the server ignores (other units, several ranges,
                    // bad syntax): the whole representation, 200
    satisfiable,    // 206 with `range`
    unsatisfiable,  // 416 with Content-Range: bytes */<size>
};

struct RangeRequest {
    RangeKind kind = RangeKind::none;
    ByteRange range;
};

RangeRequest parse_range(std::string_view header, std::uint64_t size);
// "bytes <first>-<last>/<size>"
std::string content_range(const ByteRange& range, std::uint64_t size);

}  // namespace cc::http
