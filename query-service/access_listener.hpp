#pragma once
// Hears the database's notices that access facts changed (NOTIFY
// cc_access) on a connection of its own, and empties the AccessCache on
// each. Reconnects with backoff when the connection is lost; the cache
// serves only while this listens (access_cache.hpp).
#include <atomic>
#include <string>
#include <thread>

#include "query-service/access_cache.hpp"

namespace cc::query {

class AccessListener {
  public:
    AccessListener(std::string conninfo, AccessCache& cache);
    ~AccessListener();
    AccessListener(const AccessListener&) = delete;
    AccessListener& operator=(const AccessListener&) = delete;

  private:
    void run();

    std::string conninfo_;
    AccessCache& cache_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace cc::query
