#include "platform/observability/logger.hpp"

#include <boost/json/serialize.hpp>

#include <atomic>
#include <cstdio>
#include <mutex>

#include "platform/core/time.hpp"

namespace cc::obs {
namespace {
std::string g_service = "complexcare";
std::atomic<int> g_level{static_cast<int>(Level::info)};
std::mutex g_write;

const char* name(Level level) {
    switch (level) {
        case Level::debug:
            return "debug";
        case Level::info:
            return "info";
        case Level::warn:
            return "warn";
        case Level::error:
            return "error";
    }
    return "info";
}
}  // namespace

bool configure_logging(std::string service, std::string_view level) {
    g_service = std::move(service);
    for (const auto parsed : {Level::debug, Level::info, Level::warn, Level::error}) {
        if (level == name(parsed)) {
            g_level = static_cast<int>(parsed);
            return true;
        }
    }
    g_level = static_cast<int>(Level::info);
    log(Level::error, "CC_LOG_LEVEL must be debug, info, warn or error",
        {{"CC_LOG_LEVEL", std::string(level.substr(0, 20))}});
    return false;
}

bool enabled(Level level) {
    return static_cast<int>(level) >= g_level.load();
}

void log(Level level, std::string_view message, boost::json::object fields) {
    if (!enabled(level)) return;
    boost::json::object line;
    line["ts"] = Timestamp::now().to_string();
    line["level"] = name(level);
    line["service"] = g_service;
    line["msg"] = message;
    for (auto& field : fields) line[field.key()] = std::move(field.value());
    const std::string text = boost::json::serialize(line) + "\n";
    std::lock_guard lock(g_write);
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

}  // namespace cc::obs
