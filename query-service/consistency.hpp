#pragma once
// Read-your-writes: a command answers with the position of its last event;
// a query that passes it (?min_position=<p>:<o> or X-Min-Position) is
// answered once the projector has applied that position, or 503 with
// Retry-After past a bound: never stale data silently. Waiting holds no
// worker: the request is suspended, and one watcher thread ends the waits
// as the projectors notify their checkpoints. A position the log has not
// reached (or a partition it lacks) is 400 at once, and a caller may hold
// only a few waits at a time (429).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "platform/eventlog/event_log.hpp"
#include "platform/http/router.hpp"
#include "platform/pg/pool.hpp"
#include "query-service/position_waits.hpp"

namespace cc::query {

struct ConsistencyOptions {
    std::chrono::milliseconds timeout{3000};  // CC_CONSISTENCY_TIMEOUT_MS
    WaitLimits limits;                        // CC_MAX_WAITS_PER_CALLER, CC_MAX_WAITS
    // How long the watcher waits for a checkpoint notice before it reads
    // the checkpoints itself while anyone waits (CC_CONSISTENCY_POLL_MS):
    // the bound on a wait when a notice was lost with a connection.
    std::chrono::milliseconds poll_interval{100};

    static ConsistencyOptions from_env();
};

class ProjectionProgress {
  public:
    using OpenEnds = std::function<std::unique_ptr<eventlog::LogEnds>()>;

    // `current_schema`: the generation readers use now, whose checkpoints the
    // watcher reads (unset: the connection's default search path). A
    // request's own check reads those of the generation it is pinned to.
    ProjectionProgress(pg::ConnectionPool& pool, std::string projection, std::string topic,
                       OpenEnds open_ends, ConsistencyOptions options,
                       std::function<std::string()> current_schema = {});
    ~ProjectionProgress();
    ProjectionProgress(const ProjectionProgress&) = delete;
    ProjectionProgress& operator=(const ProjectionProgress&) = delete;

    // On a worker: true once applied, false while the log has the position
    // but the projector has not applied it (or the log cannot tell); an
    // error (400) for a partition or offset the log does not have.
    Result<bool> check(const eventlog::Position& position);
    // `done` runs once, on the watcher thread, unless admission is refused.
    Admission wait(const eventlog::Position& position, const std::string& caller,
                   PositionWaits::Done done);
    // Ends every wait (503) and the watcher; later waits end at once.
    void stop();

  private:
    Status within_log(const eventlog::Position& position);
    void watch();
    void run(std::vector<PositionWaits::Ended> ended);

    pg::ConnectionPool& pool_;
    std::string projection_;
    std::string topic_;
    OpenEnds open_ends_;
    ConsistencyOptions options_;
    std::function<std::string()> current_schema_;

    std::mutex mutex_;
    std::condition_variable changed_;
    PositionWaits waits_;
    bool stopping_ = false;

    std::mutex ends_mutex_;  // the LogEnds handle is not thread-safe
    std::unique_ptr<eventlog::LogEnds> ends_;
    std::vector<std::int64_t> known_ends_;

    class CheckpointNotices;
    std::unique_ptr<pqxx::connection> watcher_connection_;
    std::unique_ptr<CheckpointNotices> notices_;  // before the connection it listens on goes
    std::thread watcher_;
};

http::Handler read_your_writes(http::Handler inner, ProjectionProgress& progress);

}  // namespace cc::query
