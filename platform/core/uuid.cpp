#include "platform/core/uuid.hpp"

#include <openssl/rand.h>

#include <cstdint>
#include <stdexcept>

namespace cc {
namespace {
// By table: start-up parses several ids per event of the log.
constexpr auto kHex = [] {
    std::array<std::int8_t, 256> table{};
    table.fill(-1);
    for (int c = '0'; c <= '9'; ++c)
        table[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c)
        table[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'a' + 10);
    for (int c = 'A'; c <= 'F'; ++c)
        table[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'A' + 10);
    return table;
}();
// Where each byte's two hex digits start in 8-4-4-4-12.
constexpr std::size_t kDigitsAt[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
}  // namespace

Uuid Uuid::random_v4() {
    std::array<std::uint8_t, 16> b{};
    // Ids are security-relevant (unguessable record ids); use the CSPRNG.
    if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);
    return Uuid(b);
}

std::optional<Uuid> Uuid::parse(std::string_view text) {
    if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' ||
        text[23] != '-') {
        return std::nullopt;
    }
    std::array<std::uint8_t, 16> b{};
    int invalid = 0;
    for (std::size_t i = 0; i < 16; ++i) {
        const int hi = kHex[static_cast<unsigned char>(text[kDigitsAt[i]])];
        const int lo = kHex[static_cast<unsigned char>(text[kDigitsAt[i] + 1])];
        invalid |= hi | lo;
        b[i] = static_cast<std::uint8_t>((hi << 4) | lo);
    }
    if (invalid < 0) return std::nullopt;
    return Uuid(b);
}

std::string Uuid::to_string() const {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(36);
    for (std::size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
        s.push_back(digits[bytes_[i] >> 4]);
        s.push_back(digits[bytes_[i] & 0x0F]);
    }
    return s;
}

bool Uuid::is_nil() const {
    for (auto b : bytes_)
        if (b != 0) return false;
    return true;
}

}  // namespace cc
