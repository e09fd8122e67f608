#include "query-service/access_cache.hpp"

namespace cc::query {
namespace {

thread_local bool fresh_access_required = false;

}  // namespace

std::optional<AccessFacts> AccessCache::find(const std::string& key) const {
    if (!serving()) return std::nullopt;
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
}

void AccessCache::store(const std::string& key, const AccessFacts& facts,
                        std::uint64_t read_under) {
    if (!serving()) return;
    std::lock_guard lock(mutex_);
    // Checked under the lock invalidate() clears under: a change heard
    // while this was read cannot be undone by storing what was read.
    if (epoch_.load() != read_under) return;
    if (entries_.size() >= most_) entries_.clear();
    entries_.insert_or_assign(key, facts);
}

void AccessCache::invalidate() {
    std::lock_guard lock(mutex_);
    ++epoch_;
    ++invalidations_;
    entries_.clear();
}

void AccessCache::set_listening(bool listening) {
    // Either way, what was heard before may be out of date.
    invalidate();
    listening_.store(listening);
}

FreshAccess::FreshAccess() : outer_(fresh_access_required) {
    fresh_access_required = true;
}
FreshAccess::~FreshAccess() {
    fresh_access_required = outer_;
}
bool FreshAccess::required() {
    return fresh_access_required;
}

}  // namespace cc::query
