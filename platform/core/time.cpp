#include "platform/core/time.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace cc {

Timestamp Timestamp::now() {
    const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    return from_micros(std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count());
}

std::string Timestamp::to_string() const {
    std::int64_t seconds = micros_ / 1'000'000;
    std::int64_t fraction = micros_ % 1'000'000;
    if (fraction < 0) {
        fraction += 1'000'000;
        --seconds;
    }
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<long long>(fraction));
    return buf;
}

std::optional<Timestamp> Timestamp::parse(std::string_view s) {
    auto digits = [&](std::size_t pos, std::size_t n, int& out) {
        if (pos + n > s.size()) return false;
        out = 0;
        for (std::size_t i = pos; i < pos + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return false;
            out = out * 10 + (s[i] - '0');
        }
        return true;
    };
    std::tm tm{};
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!digits(0, 4, year) || s.size() < 20 || s[4] != '-' || !digits(5, 2, month) ||
        s[7] != '-' || !digits(8, 2, day) || (s[10] != 'T' && s[10] != 't') ||
        !digits(11, 2, hour) || s[13] != ':' || !digits(14, 2, minute) || s[16] != ':' ||
        !digits(17, 2, second)) {
        return std::nullopt;
    }
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    std::size_t pos = 19;
    std::int64_t fraction = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int count = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (count < 6) {
                fraction = fraction * 10 + (s[pos] - '0');
            }
            ++count;
            ++pos;
        }
        if (count == 0) return std::nullopt;
        for (int i = count; i < 6; ++i) fraction *= 10;
    }
    const std::string_view zone = s.substr(pos);
    std::int64_t offset_seconds = 0;
    if (zone != "Z" && zone != "z") {
        int offset_hours = 0, offset_minutes = 0;
        if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' ||
            !digits(pos + 1, 2, offset_hours) || !digits(pos + 4, 2, offset_minutes) ||
            offset_hours > 23 || offset_minutes > 59) {
            return std::nullopt;
        }
        offset_seconds = (offset_hours * 3600 + offset_minutes * 60) * (zone[0] == '-' ? -1 : 1);
    }
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    const std::time_t t = timegm(&tm);
    // 12:00+01:00 is 11:00Z.
    return from_micros((static_cast<std::int64_t>(t) - offset_seconds) * 1'000'000 + fraction);
}

}  // namespace cc
