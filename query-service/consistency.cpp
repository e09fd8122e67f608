#include "query-service/consistency.hpp"

#include <prometheus/gauge.h>

#include <algorithm>
#include <pqxx/pqxx>

#include "platform/config/env.hpp"
#include "platform/core/json.hpp"
#include "platform/generations/store.hpp"
#include "platform/observability/logger.hpp"
#include "platform/observability/metrics.hpp"
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

prometheus::Gauge& waits_gauge() {
    static auto& gauge = obs::register_gauge(
        "query_position_waits", "Reads waiting for the projector to reach their min_position");
    return gauge;
}

Error position_error(std::string type, std::string detail) {
    Error error = Error::make(ErrorKind::malformed, std::move(type), std::move(detail));
    error.fields.push_back({"min_position", "out_of_range", error.detail});
    return error;
}

}  // namespace

// The checkpoints the projectors notify (generations::kCheckpointChannel),
// kept when they are this projection's in the generation readers use.
class ProjectionProgress::CheckpointNotices final : public pqxx::notification_receiver {
  public:
    CheckpointNotices(pqxx::connection_base& connection, const ProjectionProgress& progress)
        : pqxx::notification_receiver(connection, generations::kCheckpointChannel),
          progress_(progress) {}

    void operator()(const std::string& payload, int) override {
        const auto notice = json::parse(payload);
        if (!notice || !notice->is_object()) return;
        const auto& fields = notice->as_object();
        const auto schema = json::string_at(fields, "schema");
        const auto projection = json::string_at(fields, "projection");
        const auto topic = json::string_at(fields, "topic");
        const auto* partition = json::find(fields, "partition");
        const auto* next = json::find(fields, "next_offset");
        if (!schema || !projection || !topic || partition == nullptr || next == nullptr ||
            !partition->is_int64() || !next->is_int64()) {
            return;
        }
        if (*projection != progress_.projection_ || *topic != progress_.topic_) return;
        auto current = progress_.current_schema_ ? progress_.current_schema_() : std::string();
        if (*schema != (current.empty() ? std::string("public") : current)) return;
        auto& heard = heard_[static_cast<int>(partition->as_int64())];
        heard = std::max(heard, next->as_int64());
    }

    std::map<int, std::int64_t> take() { return std::exchange(heard_, {}); }

  private:
    const ProjectionProgress& progress_;
    std::map<int, std::int64_t> heard_;
};

ConsistencyOptions ConsistencyOptions::from_env() {
    ConsistencyOptions options;
    options.timeout = std::chrono::milliseconds(config::env_int("CC_CONSISTENCY_TIMEOUT_MS", 3000));
    options.limits.per_caller =
        static_cast<std::size_t>(config::env_int("CC_MAX_WAITS_PER_CALLER", 4));
    options.limits.total = static_cast<std::size_t>(config::env_int("CC_MAX_WAITS", 4096));
    options.poll_interval =
        std::chrono::milliseconds(std::max(1, config::env_int("CC_CONSISTENCY_POLL_MS", 100)));
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
    if (admission == Admission::admitted) {
        // A notice heard between the request's check and now has moved
        // what is known applied past the position: no notice is to come.
        std::vector<PositionWaits::Ended> ended;
        {
            std::lock_guard lock(mutex_);
            ended = waits_.advance({});
            waits_gauge().Set(static_cast<double>(waits_.size()));
        }
        run(std::move(ended));
    }
    return admission;
}

void ProjectionProgress::run(std::vector<PositionWaits::Ended> ended) {
    for (const auto& end : ended) end();
}

// One thread for every wait, on a connection of its own so a busy pool
// cannot starve it: it listens for the checkpoints the projectors notify,
// and while anyone waits it also reads them all every CC_CONSISTENCY_POLL_MS
// (a notice lost with a connection, or dropped while readers switched
// generations, delays a wait by that much at most). It listens while no
// one waits too, so that notices never queue up unread on the server.
void ProjectionProgress::watch() {
    using Clock = std::chrono::steady_clock;
    auto next_read = Clock::now();
    while (true) {
        bool waiting = false;
        {
            std::lock_guard lock(mutex_);
            if (stopping_) break;
            waiting = !waits_.empty();
        }
        std::map<int, std::int64_t> applied;
        try {
            if (!watcher_connection_ || !watcher_connection_->is_open()) {
                notices_.reset();
                watcher_connection_ = std::make_unique<pqxx::connection>(pool_.conninfo());
                notices_ = std::make_unique<CheckpointNotices>(*watcher_connection_, *this);
                next_read = Clock::now();
            }
            const auto now = Clock::now();
            if (waiting && now >= next_read) {
                // Checkpoints only grow within a generation, and a rebuilt one
                // becomes current only once it has every event the old one
                // had: what was reached stays reached across a switch.
                applied = applied_offsets(*watcher_connection_, projection_, topic_,
                                          current_schema_ ? current_schema_() : std::string());
                next_read = now + options_.poll_interval;
            } else {
                // Back at least every 100 ms: waits expire (and stop() is
                // seen) with that precision, whatever the polling interval.
                const auto until = std::min(waiting ? next_read : now + options_.poll_interval,
                                            now + std::chrono::milliseconds(100));
                const auto micros = std::max<long>(
                    0, std::chrono::duration_cast<std::chrono::microseconds>(until - now).count());
                watcher_connection_->await_notification(micros / 1'000'000, micros % 1'000'000);
                applied = notices_->take();
            }
        } catch (const std::exception& e) {
            notices_.reset();
            watcher_connection_.reset();
            obs::warn("cannot read the projection checkpoints", {{"error", e.what()}});
            std::unique_lock lock(mutex_);
            changed_.wait_for(lock, options_.poll_interval, [this] { return stopping_; });
        }
        std::vector<PositionWaits::Ended> ended;
        {
            std::lock_guard lock(mutex_);
            ended = waits_.advance(applied);
            for (auto& expired : waits_.expire(PositionWaits::Clock::now())) {
                ended.push_back(std::move(expired));
            }
            waits_gauge().Set(static_cast<double>(waits_.size()));
        }
        run(std::move(ended));
    }
    notices_.reset();
    watcher_connection_.reset();
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
        return http::Response::suspend(
            [&progress, position = *position, lagging, caller = request.caller.user.to_string(),
             about = http::Response::problem_subject(request)](http::Resume resume) {
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
