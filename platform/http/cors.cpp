#include "platform/http/cors.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace cc::http {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// scheme://host[:port], as a browser serialises an Origin. Any scheme, since
// native shells (capacitor://localhost) send their own.
bool is_serialised_origin(std::string_view origin) {
    const auto separator = origin.find("://");
    if (separator == std::string_view::npos || separator == 0) return false;
    const auto scheme = origin.substr(0, separator);
    if (!std::isalpha(static_cast<unsigned char>(scheme.front()))) return false;
    for (char c : scheme) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
            return false;
        }
    }
    auto authority = origin.substr(separator + 3);
    if (const auto colon = authority.rfind(':');
        colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
        const auto port = authority.substr(colon + 1);
        if (port.empty() || port.size() > 5) return false;
        for (char c : port) {
            if (!std::isdigit(static_cast<unsigned char>(c))) return false;
        }
        authority = authority.substr(0, colon);
    }
    if (authority.empty()) return false;
    for (char c : authority) {
        if (std::isspace(static_cast<unsigned char>(c)) || c == '/' || c == '?' || c == '#' ||
            c == '*' || c == '@' || c == ',') {
            return false;
        }
    }
    return true;
}

}  // namespace

CorsPolicy CorsPolicy::parse(std::string_view origins) {
    CorsPolicy policy;
    while (!origins.empty()) {
        const auto comma = origins.find(',');
        const auto entry = trim(origins.substr(0, comma));
        origins = comma == std::string_view::npos ? std::string_view{} : origins.substr(comma + 1);
        if (entry.empty()) continue;
        if (!is_serialised_origin(entry)) {
            throw std::invalid_argument("CC_CORS_ORIGINS: \"" + std::string(entry) +
                                        "\" is not an origin such as https://app.example.org");
        }
        // Browsers send scheme and host in lower case.
        std::string origin(entry);
        for (auto& c : origin) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!policy.allows(origin)) policy.origins_.push_back(std::move(origin));
    }
    return policy;
}

bool CorsPolicy::allows(std::string_view origin) const {
    return std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

bool CorsPolicy::is_preflight(std::string_view method, const std::optional<std::string>& origin,
                              const std::optional<std::string>& request_method) {
    return method == "OPTIONS" && origin.has_value() && request_method.has_value();
}

HeaderList CorsPolicy::preflight_headers(const std::optional<std::string>& origin,
                                         const std::vector<std::string>& methods) const {
    HeaderList headers = response_headers(origin);
    if (!origin || !allows(*origin)) return headers;
    std::string allowed;
    for (const auto& method : methods) {
        if (!allowed.empty()) allowed += ", ";
        allowed += method;
    }
    // An empty Allow-Methods would refuse even a simple GET; OPTIONS is always there.
    if (allowed.empty()) allowed = "OPTIONS";
    headers.emplace_back("Access-Control-Allow-Methods", std::move(allowed));
    headers.emplace_back("Access-Control-Allow-Headers", std::string(allowed_headers));
    headers.emplace_back("Access-Control-Max-Age", std::string(max_age_seconds));
    return headers;
}

HeaderList CorsPolicy::response_headers(const std::optional<std::string>& origin) const {
    HeaderList headers;
    if (!enabled()) return headers;
    headers.emplace_back("Vary", "Origin");
    if (!origin || !allows(*origin)) return headers;
    headers.emplace_back("Access-Control-Allow-Origin", *origin);
    headers.emplace_back("Access-Control-Expose-Headers", std::string(exposed_headers));
    return headers;
}

void merge_headers(HeaderList& headers, const HeaderList& extra) {
    for (const auto& entry : extra) {
        // Not a structured binding: clang 14 (the fuzz build) cannot capture one.
        const auto& name = entry.first;
        const auto& value = entry.second;
        auto same = std::find_if(headers.begin(), headers.end(), [&](const auto& header) {
            return std::equal(header.first.begin(), header.first.end(), name.begin(), name.end(),
                              [](char a, char b) {
                                  return std::tolower(static_cast<unsigned char>(a)) ==
                                         std::tolower(static_cast<unsigned char>(b));
                              });
        });
        if (same != headers.end() && name == "Vary") {
            same->second += ", " + value;
        } else {
            headers.emplace_back(name, value);
        }
    }
}

}  // namespace cc::http
