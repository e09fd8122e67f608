#pragma once
#include <memory>
#include <string>
#include <string_view>

namespace cc {

// Lower-case hex SHA-256 (migration checksums, idempotency request hashes).
std::string sha256_hex(std::string_view data);

// SHA-256 over data that arrives in pieces (a blob read in chunks).
class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(std::string_view data);
    // Lower-case hex of everything updated so far; the hasher is spent.
    std::string hex();

  private:
    struct Context;
    std::unique_ptr<Context> context_;
};

}  // namespace cc
