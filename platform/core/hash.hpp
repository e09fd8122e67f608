#pragma once
#include <string>
#include <string_view>

namespace cc {

// Lower-case hex SHA-256 (migration checksums, idempotency request hashes).
std::string sha256_hex(std::string_view data);

}  // namespace cc
