#pragma once
// Where uploaded files live: a store of immutable blobs named by keys the
// server derives from their content, never by a client. One interface, one
// adapter per kind of storage (a directory on this machine today; an
// S3-compatible bucket the other). Nothing here knows a document.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "platform/core/result.hpp"

namespace cc::blob {

// Content addressing: "sha256/<first 2 hex>/<64 hex>". Two uploads of the
// same bytes share a blob, and a key cannot name anything outside the store.
std::string key_for_digest(std::string_view sha256_hex);
// The digest a key names, or nullopt for anything not of that exact shape.
std::optional<std::string> digest_of(std::string_view key);
// Whether a store may be asked about `key`: a key, or a name list() may
// give for a leftover (a plain name in a fan-out directory), never a path
// that climbs out of the store.
bool is_store_name(std::string_view key);

struct BlobInfo {
    std::string key;  // as the store names it; may be a leftover temporary, not a key
    std::uint64_t size = 0;
    std::chrono::system_clock::time_point written;
};

class BlobReader {
  public:
    virtual ~BlobReader() = default;
    // The bytes this reader yields in all (a range's, when it reads one).
    virtual std::uint64_t size() const = 0;
    // Up to out.size() bytes from where the last read stopped; 0 at the end.
    virtual Result<std::size_t> read(std::span<char> out) = 0;
};

class BlobStore {
  public:
    virtual ~BlobStore() = default;
    // Stores `bytes` under `key`; durable once it returns (a crash right
    // after loses nothing). Writing a key again replaces it with the same
    // bytes and counts as written now. A failed put never leaves part of a
    // blob under the key; it is ErrorKind::unavailable, typed
    // "blob-store-full" when the storage has no room left.
    virtual Status put(std::string_view key, std::string_view bytes) = 0;
    // The bytes [first, first + length) of the blob, cut at its end;
    // ErrorKind::not_found when the key holds nothing.
    virtual Result<std::unique_ptr<BlobReader>> open_range(std::string_view key,
                                                           std::uint64_t first,
                                                           std::uint64_t length) = 0;
    // The whole blob.
    Result<std::unique_ptr<BlobReader>> open(std::string_view key) {
        return open_range(key, 0, kToTheEnd);
    }
    static constexpr std::uint64_t kToTheEnd = UINT64_MAX;
    // Everything stored, leftovers of interrupted writes included.
    virtual Result<std::vector<BlobInfo>> list() = 0;
    virtual Status remove(std::string_view key) = 0;
};

}  // namespace cc::blob
