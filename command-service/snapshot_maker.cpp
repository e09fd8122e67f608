#include "command-service/snapshot_maker.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>

#include "command-service/fold.hpp"
#include "command-service/log_tail.hpp"
#include "platform/observability/logger.hpp"

namespace cc::command {

namespace {
// The nice value of the thread that makes snapshots (the service's is 0).
constexpr int kRoundNice = 10;
}  // namespace

namespace snapshot {

Result<Resumed> resume(const Config& config, const eventlog::LogConfig& log) {
    Resumed resumed;
    if (config.enabled()) {
        auto ends = eventlog::open_ends(log)->end_offsets();
        if (!ends) return std::move(ends).error();
        resumed.ends = std::move(*ends);
        resumed.snapshot = load_newest(config, resumed.ends);
        if (resumed.snapshot) {
            eventlog::ReaderOptions before_position;
            before_position.start_offset = [next = resumed.snapshot->next_offsets](int partition) {
                return std::max<std::int64_t>(0, next.at(static_cast<std::size_t>(partition)) - 1);
            };
            auto checking = eventlog::open_reader(log, std::move(before_position));
            if (auto status = verify(*resumed.snapshot, *checking); !status) {
                obs::warn("write model snapshot ignored", {{"reason", status.error().detail}});
                resumed.snapshot.reset();
            }
        }
    }
    eventlog::ReaderOptions reading;
    if (resumed.snapshot) {
        reading.start_offset = [next = resumed.snapshot->next_offsets](int partition) {
            return next.at(static_cast<std::size_t>(partition));
        };
    }
    resumed.reader = eventlog::open_reader(log, std::move(reading));
    return resumed;
}

}  // namespace snapshot

SnapshotMaker::SnapshotMaker(snapshot::Config config, eventlog::LogConfig log,
                             std::function<void()> mid_round)
    : config_(std::move(config)),
      log_(std::move(log)),
      mid_round_(std::move(mid_round)),
      maker_([this] { make_rounds(); }) {}

SnapshotMaker::~SnapshotMaker() {
    stop();
}

void SnapshotMaker::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    idle_.notify_all();
    if (maker_.joinable()) maker_.join();
}

void SnapshotMaker::counted(std::int64_t events) {
    if (!config_.enabled() || config_.every <= 0) return;
    {
        std::lock_guard lock(mutex_);
        since_last_ += events;
        if (since_last_ < config_.every || stopping_) return;
        since_last_ = 0;
        due_ = true;
    }
    wake_.notify_one();
}

Status SnapshotMaker::settled() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return stopping_ || (!due_ && !running_); });
    return last_;
}

Status SnapshotMaker::write_last(std::span<const std::int64_t> next_offsets,
                                 std::string_view bytes) {
    stop();
    return snapshot::write(config_.dir, next_offsets, bytes);
}

void SnapshotMaker::make_rounds() {
    // Named, so that top -H and perf tell its CPU from the commands'.
    ::pthread_setname_np(::pthread_self(), "cc-snapshots");
    // A round takes what CPU the commands leave: on a busy machine it takes
    // longer, rather than the commands.
    if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kRoundNice) != 0) {
        obs::warn("snapshot rounds run at the service's priority",
                  {{"error", std::string(std::strerror(errno))}});
    }
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stopping_ || due_; });
        if (stopping_) return;
        due_ = false;
        running_ = true;
        lock.unlock();
        Status status;
        try {
            status = round();
        } catch (const std::exception& e) {
            status = Error::make(ErrorKind::unavailable, "snapshot-failed", e.what());
        }
        if (!status && !stopping_) {
            obs::warn("write model snapshot not written", {{"error", status.error().detail}});
        }
        lock.lock();
        running_ = false;
        last_ = std::move(status);
        idle_.notify_all();
    }
}

Status SnapshotMaker::round() {
    const auto started = std::chrono::steady_clock::now();
    const auto abandoned = [this]() -> std::optional<Error> {
        if (!stopping_) return std::nullopt;
        return Error::make(ErrorKind::unavailable, "snapshot-abandoned", "the service is stopping");
    };
    auto resumed = snapshot::resume(config_, log_);
    if (!resumed) return std::move(resumed).error();
    auto& reader = *resumed->reader;
    auto& from = resumed->snapshot;
    auto model = from ? std::move(from->model) : std::make_unique<WriteModel>();
    FoldedUpTo at(static_cast<std::size_t>(reader.partition_count()));
    if (from) {
        at.next = from->next_offsets;
        if (from->last_records.size() == at.next.size()) at.last_records = from->last_records;
    }
    // Up to the ends the snapshot was chosen against: what is appended
    // meanwhile goes to the next round.
    LogFolder folder(*model);
    auto folded = fold_to(reader, folder, at, resumed->ends, abandoned);
    if (!folded) return std::move(folded).error();
    // Nothing new since the newest snapshot: it is this one already.
    if (from && *folded == 0) return {};
    if (mid_round_) mid_round_();
    if (auto stop = abandoned()) return std::move(*stop);
    const auto bytes = snapshot::encode(*model, at.next, config_.log, at.last_records);
    model.reset();
    if (auto stop = abandoned()) return std::move(*stop);
    if (auto status = snapshot::write(config_.dir, at.next, bytes); !status) return status;
    obs::info("write model snapshot written",
              {{"bytes", bytes.size()},
               {"total_offset", at.total_offset()},
               {"folded", *folded},
               {"took_ms", std::chrono::duration<double, std::milli>(
                               std::chrono::steady_clock::now() - started)
                               .count()}});
    return {};
}

}  // namespace cc::command
