#include "platform/eventlog/event_log.hpp"

#include <charconv>

namespace cc::eventlog {

std::string Position::to_string() const {
    return std::to_string(partition) + ":" + std::to_string(offset);
}

std::optional<Position> Position::parse(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    Position p;
    const auto* begin = text.data();
    auto [end1, ec1] = std::from_chars(begin, begin + colon, p.partition);
    auto [end2, ec2] = std::from_chars(begin + colon + 1, begin + text.size(), p.offset);
    if (ec1 != std::errc{} || end1 != begin + colon || ec2 != std::errc{} ||
        end2 != begin + text.size() || p.partition < 0 || p.offset < 0) {
        return std::nullopt;
    }
    return p;
}

int partition_for(std::string_view key, int partition_count) {
    std::uint32_t hash = 2166136261u;
    for (unsigned char c : key) hash = (hash ^ c) * 16777619u;
    return static_cast<int>(hash % static_cast<std::uint32_t>(partition_count));
}

}  // namespace cc::eventlog
