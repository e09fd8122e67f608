#pragma once
// Structured logs: one JSON object per line on stderr, with the service name,
// level, message and fields. Never pass secrets or tokens as fields.
#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace cc::obs {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

// false (and an error line) for a level that is not debug, info, warn or
// error: a service refuses to start rather than log at a level it guessed.
[[nodiscard]] bool configure_logging(std::string service, std::string_view level);
void log(Level level, std::string_view message, boost::json::object fields = {});
// Whether a line at `level` would be written: a caller on a hot path checks
// before it builds the fields.
bool enabled(Level level);

inline void debug(std::string_view m, boost::json::object f = {}) {
    log(Level::debug, m, std::move(f));
}
inline void info(std::string_view m, boost::json::object f = {}) {
    log(Level::info, m, std::move(f));
}
inline void warn(std::string_view m, boost::json::object f = {}) {
    log(Level::warn, m, std::move(f));
}
inline void error(std::string_view m, boost::json::object f = {}) {
    log(Level::error, m, std::move(f));
}

}  // namespace cc::obs
