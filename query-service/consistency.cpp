#include "query-service/consistency.hpp"

#include <pqxx/pqxx>

#include "platform/config/env.hpp"
#include "platform/observability/logger.hpp"
#include "platform/pg/prepared.hpp"
#include "query-service/access_cache.hpp"

namespace cc::query {
namespace {

// `schema` "": the table the connection's search path finds.
// Asked every few milliseconds while anyone waits: prepared, one round trip.
pg::PreparedNames& checkpoint_statements() {
    static pg::PreparedNames names("cc_checkpoints_", 16);
    return names;
}

std::map<int, std::int64_t> applied_offsets(pqxx::connection& connection,
                                            const std::string& projection, const std::string& topic,
                                            const std::string& schema = "") {
    std::map<int, std::int64_t> applied;
    const std::string table = schema.empty()
                                  ? std::string("projection_checkpoints")
                                  : connection.quote_name(schema) + ".projection_checkpoints";
    for (const auto& row :
         pg::run_single(connection, checkpoint_statements(),
                        pg::Statement{"SELECT partition, next_offset FROM " + table +
                                          " WHERE projection = $1 AND topic = $2",
                                      {projection, topic}})) {
        applied[row[0].as<int>()] = row[1].as<std::int64_t>();
    }
    return applied;
}

Error position_error(std::string type, std::string detail) {
    Error error = Error::make(ErrorKind::malformed, std::move(type), std::move(detail));
    error.fields.push_back({"min_position", "out_of_range", error.detail});
    return error;
}

}  // namespace

ConsistencyOptions ConsistencyOptions::from_env() {
    ConsistencyOptions options;
    options.timeout = std::chrono::milliseconds(config::env_int("CC_CONSISTENCY_TIMEOUT_MS", 3000));
    options.limits.per_caller =
        static_cast<std::size_t>(config::env_int("CC_MAX_WAITS_PER_CALLER", 4));
    options.limits.total = static_cast<std::size_t>(config::env_int("CC_MAX_WAITS", 4096));
    return options;
}

ProjectionProgress::ProjectionProgress(pg::ConnectionPool& pool, std::string projection,
                                       std::string topic, OpenEnds open_ends,
                                       ConsistencyOptions options,
                                       std::function<std::string()> current_schema)
    : pool_(pool),
      projection_(std::move(projection)),
      topic_(std::move(topic)),
      open_ends_(std::move(open_ends)),
      options_(options),
      current_schema_(std::move(current_schema)),
      waits_(options.limits),
      watcher_([this] { watch(); }) {}

ProjectionProgress::~ProjectionProgress() {
    stop();
}

void ProjectionProgress::stop() {
    std::vector<PositionWaits::Ended> ended;
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
        ended = waits_.end_all(WaitOutcome::shutting_down);
    }
    changed_.notify_all();
    run(std::move(ended));
    if (watcher_.joinable()) watcher_.join();
}

Result<bool> ProjectionProgress::check(const eventlog::Position& position) {
    {
        std::lock_guard lock(mutex_);
        if (waits_.reached(position)) return true;
    }
    std::map<int, std::int64_t> applied;
    try {
        auto connection = pool_.acquire();
        applied = applied_offsets(*connection, projection_, topic_);
    } catch (const std::exception& e) {
        return Error::make(ErrorKind::unavailable, "database-unavailable", e.what());
    }
    std::vector<PositionWaits::Ended> ended;
    bool reached = false;
    {
        std::lock_guard lock(mutex_);
        ended = waits_.advance(applied);
        reached = waits_.reached(position);
    }
    run(std::move(ended));
    if (reached) return true;
    if (auto known = within_log(position); !known) return known.error();
    return false;
}

Status ProjectionProgress::within_log(const eventlog::Position& position) {
    std::lock_guard lock(ends_mutex_);
    try {
        if (!ends_) ends_ = open_ends_();
    } catch (const std::exception& e) {
        // Without the log's shape the wait is merely bounded by the timeout.
        obs::warn("cannot reach the event log to check a position", {{"error", e.what()}});
        return {};
    }
    if (position.partition < 0 || position.partition >= ends_->partition_count()) {
        return position_error("unknown-partition",
                              "the event log has no partition " +
                                  std::to_string(position.partition) + " (it has " +
                                  std::to_string(ends_->partition_count()) + ")");
    }
    const auto p = static_cast<std::size_t>(position.partition);
    // Ends only grow: a position short of a known end exists without asking.
    if (p < known_ends_.size() && position.offset < known_ends_[p]) return {};
    auto ends = ends_->end_offsets();
    if (!ends) return {};
    known_ends_ = std::move(*ends);
    if (p < known_ends_.size() && position.offset >= known_ends_[p]) {
        return position_error("position-beyond-log",
                              "position " + position.to_string() +
                                  " has not been written to the event log; a position comes "
                                  "from a command's answer");
    }
    return {};
}

Admission ProjectionProgress::wait(const eventlog::Position& position, const std::string& caller,
                                   PositionWaits::Done done) {
    Admission admission = Admission::admitted;
    bool stopped = false;
    {
        std::lock_guard lock(mutex_);
        stopped = stopping_;
        if (!stopped) {
            admission =
                waits_.add(position, caller, PositionWaits::Clock::now() + options_.timeout, done);
        }
    }
    if (stopped) {
        done(WaitOutcome::shutting_down);
        return Admission::admitted;
    }
    if (admission == Admission::admitted) changed_.notify_all();
    return admission;
}

void ProjectionProgress::run(std::vector<PositionWaits::Ended> ended) {
    for (const auto& end : ended) end();
}

// One thread for every wait: it reads the checkpoints only while someone
// waits, on a connection of its own so a busy pool cannot starve it.
void ProjectionProgress::watch() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        if (waits_.empty()) {
            changed_.wait(lock, [this] { return stopping_ || !waits_.empty(); });
            continue;
        }
        lock.unlock();
        std::optional<std::map<int, std::int64_t>> applied;
        try {
            if (!watcher_connection_ || !watcher_connection_->is_open()) {
                watcher_connection_ = std::make_unique<pqxx::connection>(pool_.conninfo());
            }
            // Checkpoints only grow within a generation, and a rebuilt one
            // becomes current only once it has every event the old one had:
            // what was reached stays reached across a switch.
            applied = applied_offsets(*watcher_connection_, projection_, topic_,
                                      current_schema_ ? current_schema_() : std::string());
        } catch (const std::exception& e) {
            watcher_connection_.reset();
            obs::warn("cannot read the projection checkpoints", {{"error", e.what()}});
        }
        lock.lock();
        auto ended = applied ? waits_.advance(*applied) : std::vector<PositionWaits::Ended>{};
        for (auto& expired : waits_.expire(PositionWaits::Clock::now())) {
            ended.push_back(std::move(expired));
        }
        lock.unlock();
        run(std::move(ended));
        lock.lock();
        changed_.wait_for(lock, options_.poll_interval, [this] { return stopping_; });
    }
}

http::Handler read_your_writes(http::Handler inner, ProjectionProgress& progress) {
    return [inner = std::move(inner), &progress](http::Request& request) -> http::Response {
        auto text = request.query_param("min_position");
        if (!text) text = request.header("x-min-position");
        if (!text) return inner(request);
        // The access checks of a read that waited for a position see the
        // database, not what the cache heard so far (access_cache.hpp).
        const FreshAccess fresh;
        const auto position = eventlog::Position::parse(*text);
        if (!position) {
            Error error = Error::make(ErrorKind::malformed, "bad-position",
                                      "min_position must be a position such as \"3:1042\"");
            error.fields.push_back({"min_position", "format", error.detail});
            return http::Response::problem(error, request);
        }
        const auto lagging = [position = *position] {
            return Error::make(ErrorKind::unavailable, "projection-lagging",
                               "the read model has not reached position " + position.to_string() +
                                   " yet; retry shortly");
        };
        const auto applied = progress.check(*position);
        if (!applied) return http::Response::problem(applied.error(), request);
        if (*applied) return inner(request);
        // A wait that ended "reached" is checked again above; only a
        // projection that went back (a rebuild) could land here.
        if (request.resumed) return http::Response::problem(lagging(), request);
        http::Request about;  // what a problem answer names
        about.path = request.path;
        about.request_id = request.request_id;
        return http::Response::suspend([&progress, position = *position, lagging,
                                        caller = request.caller.user.to_string(),
                                        about = std::move(about)](http::Resume resume) {
            const auto admission =
                progress.wait(position, caller, [resume, lagging, about](WaitOutcome outcome) {
                    switch (outcome) {
                        case WaitOutcome::reached:
                            return resume(std::nullopt);
                        case WaitOutcome::timed_out:
                            return resume(http::Response::problem(lagging(), about));
                        case WaitOutcome::shutting_down:
                            return resume(http::Response::problem(
                                Error::make(ErrorKind::unavailable, "shutting-down",
                                            "the service is stopping; retry shortly"),
                                about));
                    }
                });
            if (admission == Admission::admitted) return;
            resume(http::Response::problem(
                admission == Admission::caller_limit
                    ? Error::make(ErrorKind::too_many_requests, "too-many-waits",
                                  "this caller already waits for as many positions as it may")
                    : Error::make(ErrorKind::unavailable, "too-many-waits",
                                  "the service waits for as many positions as it may"),
                about));
        });
    };
}

}  // namespace cc::query
