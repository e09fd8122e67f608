#include "platform/blob/blob_store.hpp"

namespace cc::blob {
namespace {

constexpr std::string_view kPrefix = "sha256/";

bool is_hex(std::string_view text) {
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

bool is_plain_name(std::string_view part) {
    if (part.empty() || part == "." || part == "..") return false;
    for (char c : part) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '.' || c == '-';
        if (!ok) return false;
    }
    return true;
}

}  // namespace

std::string key_for_digest(std::string_view sha256_hex) {
    return std::string(kPrefix) + std::string(sha256_hex.substr(0, 2)) + "/" +
           std::string(sha256_hex);
}

std::optional<std::string> digest_of(std::string_view key) {
    if (key.size() != kPrefix.size() + 3 + 64 || key.substr(0, kPrefix.size()) != kPrefix) {
        return std::nullopt;
    }
    const auto fan = key.substr(kPrefix.size(), 2);
    const auto digest = key.substr(kPrefix.size() + 3);
    if (key[kPrefix.size() + 2] != '/' || !is_hex(digest) || digest.substr(0, 2) != fan) {
        return std::nullopt;
    }
    return std::string(digest);
}

bool is_store_name(std::string_view key) {
    if (key.substr(0, kPrefix.size()) != kPrefix) return false;
    const auto rest = key.substr(kPrefix.size());
    const auto slash = rest.find('/');
    return slash != std::string_view::npos && is_plain_name(rest.substr(0, slash)) &&
           is_plain_name(rest.substr(slash + 1));
}

}  // namespace cc::blob
