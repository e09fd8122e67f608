#pragma once
// Which projection generation a request reads (DESIGN.md, "Read side").
// The current one is known from the control table and followed through
// LISTEN/NOTIFY, so readers switch to a rebuilt generation without a
// restart. Each request is pinned to one generation for its whole run
// (pg::SearchPathScope): every connection it leases, its access checks and
// its read-your-writes check included, searches that generation, so a
// switch never lands between two reads of one answer.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "platform/http/router.hpp"
#include "platform/pg/pool.hpp"

namespace cc::query {

class GenerationWatch {
  public:
    // Reads the current generation at once (throws when it cannot), then
    // follows it on a thread of its own.
    explicit GenerationWatch(std::string conninfo);
    ~GenerationWatch();
    GenerationWatch(const GenerationWatch&) = delete;
    GenerationWatch& operator=(const GenerationWatch&) = delete;

    std::string current_schema() const;
    void stop();

  private:
    void follow();
    void refresh(pqxx::connection& connection);

    std::string conninfo_;
    mutable std::mutex mutex_;
    std::string current_schema_;
    std::atomic<bool> stopping_{false};
    std::thread follower_;
};

// "<schema>, public", or "public" for the first generation.
std::string generation_search_path(const std::string& schema);

// The current generation's search path while a request runs, whatever
// generation it reads: access is decided on the present.
const std::string& present_search_path();

// Pins each request to a generation: the current one, or with ?as_of= (or
// CC-As-Of) an as-of generation, for the callers as_of.hpp lets in.
http::Handler pin_generation(http::Handler inner, GenerationWatch& watch, pg::ConnectionPool& pool);

}  // namespace cc::query
