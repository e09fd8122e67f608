#include "platform/http/range.hpp"

#include <charconv>
#include <optional>

namespace cc::http {
namespace {

std::optional<std::uint64_t> number(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

}  // namespace

RangeRequest parse_range(std::string_view header, std::uint64_t size) {
    header = trimmed(header);
    constexpr std::string_view kUnit = "bytes=";
    if (header.substr(0, kUnit.size()) != kUnit) return {};
    const auto spec = trimmed(header.substr(kUnit.size()));
    // Several ranges would need multipart/byteranges; the whole file is a
    // correct answer to them too.
    if (spec.find(',') != std::string_view::npos) return {};
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos) return {};
    const auto first_text = spec.substr(0, dash);
    const auto last_text = spec.substr(dash + 1);
    if (first_text.empty()) {
        // bytes=-N: the last N bytes.
        const auto suffix = number(last_text);
        if (!suffix) return {};
        if (*suffix == 0 || size == 0) return {RangeKind::unsatisfiable, {}};
        const auto length = std::min(*suffix, size);
        return {RangeKind::satisfiable, {size - length, size - 1}};
    }
    const auto first = number(first_text);
    if (!first) return {};
    std::uint64_t last = size == 0 ? 0 : size - 1;
    if (!last_text.empty()) {
        const auto given = number(last_text);
        if (!given || *given < *first) return {};
        last = std::min(*given, last);
    }
    if (*first >= size) return {RangeKind::unsatisfiable, {}};
    return {RangeKind::satisfiable, {*first, last}};
}

std::string content_range(const ByteRange& range, std::uint64_t size) {
    return "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
           std::to_string(size);
}

}  // namespace cc::http
