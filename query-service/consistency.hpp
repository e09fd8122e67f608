#pragma once
// Read-your-writes: a command answers with the position of its last event;
// a query that passes it (?min_position=<p>:<o> or X-Min-Position) waits,
// bounded, until the projector has applied that position, and answers 503
// with Retry-After past the bound: never stale data silently.
#include <chrono>
#include <string>

#include "platform/eventlog/event_log.hpp"
#include "platform/http/router.hpp"
#include "platform/pg/pool.hpp"

namespace cc::query {

class ProjectionProgress {
  public:
    ProjectionProgress(pg::ConnectionPool& pool, std::string projection, std::string topic,
                       std::chrono::milliseconds timeout)
        : pool_(pool),
          projection_(std::move(projection)),
          topic_(std::move(topic)),
          timeout_(timeout) {}

    Status wait_for(const eventlog::Position& position);

  private:
    bool applied(const eventlog::Position& position);

    pg::ConnectionPool& pool_;
    std::string projection_;
    std::string topic_;
    std::chrono::milliseconds timeout_;
};

http::Handler read_your_writes(http::Handler inner, ProjectionProgress& progress);

}  // namespace cc::query
