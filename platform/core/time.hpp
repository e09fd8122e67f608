#pragma once
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cc {

// A UTC instant with microsecond precision, the resolution of PostgreSQL's
// timestamptz and of the event envelope's occurred_at.
class Timestamp {
  public:
    constexpr Timestamp() = default;
    static constexpr Timestamp from_micros(std::int64_t micros) { return Timestamp(micros); }
    static Timestamp now();
    // RFC 3339 with an offset ("Z", "+01:00", "-05:30"), 0 to 6 fractional
    // digits (more are cut at microseconds); the instant it names, in UTC.
    static std::optional<Timestamp> parse(std::string_view text);

    constexpr std::int64_t micros() const { return micros_; }
    std::string to_string() const;  // 2026-11-24T18:29:09.123456Z
    auto operator<=>(const Timestamp&) const = default;

  private:
    explicit constexpr Timestamp(std::int64_t micros) : micros_(micros) {}
    std::int64_t micros_ = 0;
};

}  // namespace cc
