#pragma once
// Services are configured by environment variables (README "Configuration").
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace cc::config {

inline std::string env_or(const char* name, const std::string& fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

inline int env_int(const char* name, int fallback) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return fallback;
    try {
        std::size_t used = 0;
        const int parsed = std::stoi(value, &used);
        if (used == std::string(value).size()) return parsed;
    } catch (const std::exception&) {
    }
    throw std::invalid_argument(std::string(name) + " must be an integer");
}

}  // namespace cc::config
