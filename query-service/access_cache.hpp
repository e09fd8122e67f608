#pragma once
// What the access checks read (is the caller a live user, with which role
// in a tenant, is a module on there), kept between requests: every read
// asks, and the answers change only when a user, a membership, a tenant or
// a feature does. PostgreSQL says when: statement triggers on those tables
// NOTIFY cc_access (migration 0013) in the projector's transaction, so the
// notice arrives once the change is committed, and the cache is emptied.
//
// Used only while a listener hears those notices (AccessListener): before
// it listens, after it lost its connection, or with the cache off
// (CC_ACCESS_CACHE=0), every check reads the database. A read that names a
// position (read-your-writes) always reads it too (FreshAccess): it must
// see the change it waited for even in the moment before the notice
// arrives. Pure: no database types.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace cc::query {

// What the database said about a caller (and a tenant, and a module).
struct AccessFacts {
    bool live = false;                // a user not deleted
    std::optional<std::string> role;  // the membership's role, if any
    bool feature_on = true;           // the module, if one was asked about
};

class AccessCache {
  public:
    explicit AccessCache(std::size_t most_entries = 100'000) : most_(most_entries) {}

    // The epoch a read starts under: store() keeps its answer only if no
    // change was heard while it read.
    std::uint64_t epoch() const { return epoch_.load(); }
    std::optional<AccessFacts> find(const std::string& key) const;
    void store(const std::string& key, const AccessFacts& facts, std::uint64_t read_under);

    // A change was committed (or may have been, unheard): forget everything.
    void invalidate();
    // Whether a listener is hearing changes; the cache serves only then.
    void set_listening(bool listening);
    bool serving() const { return listening_.load(); }
    std::uint64_t invalidations() const { return invalidations_.load(); }

  private:
    std::size_t most_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, AccessFacts> entries_;
    std::atomic<std::uint64_t> epoch_{0};
    std::atomic<std::uint64_t> invalidations_{0};
    std::atomic<bool> listening_{false};
};

// While one lives on a thread, that thread's access checks read the
// database (a request that waited for a position: see above).
class FreshAccess {
  public:
    FreshAccess();
    ~FreshAccess();
    FreshAccess(const FreshAccess&) = delete;
    FreshAccess& operator=(const FreshAccess&) = delete;
    static bool required();

  private:
    bool outer_;
};

}  // namespace cc::query
