#pragma once
// The write model's periodic snapshots, made from the log and not from the
// live model: a thread of its own takes the newest snapshot the log
// confirms, folds the log's tail into it, and writes the result, while the
// bus goes on deciding. Encoding the live model under the bus's lock held
// every decision for about 8 ms per MB of model (1.2 s at a million events,
// bench_startup): the p99 of durable creates grew with the model.
//
// A round is the start-up path (snapshot::resume, then fold_to), so a
// snapshot holds exactly the log's fold up to its position, whatever
// batches were being decided meanwhile. Its costs: a second model while the
// round lasts, and the background CPU of decoding, folding the tail and
// encoding again (bench_startup prints each step).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <thread>
#include <vector>

#include "command-service/snapshot.hpp"
#include "platform/core/result.hpp"
#include "platform/eventlog/factory.hpp"

namespace cc::command {

namespace snapshot {

// Where a fold of the log starts: the newest snapshot of `config` that the
// log confirms (load_newest, then verify), or none, and a reader of the log
// from just after it.
struct Resumed {
    std::optional<Loaded> snapshot;
    std::unique_ptr<eventlog::LogReader> reader;
    // The log's ends the snapshot was chosen against (empty with snapshots off).
    std::vector<std::int64_t> ends;
};
Result<Resumed> resume(const Config& config, const eventlog::LogConfig& log);

}  // namespace snapshot

class SnapshotMaker {
  public:
    // `mid_round` (tests) runs in each round once the log is folded, before
    // the model is encoded.
    SnapshotMaker(snapshot::Config config, eventlog::LogConfig log,
                  std::function<void()> mid_round = {});
    // Abandons a round under way, at its next poll or before it writes.
    ~SnapshotMaker();
    SnapshotMaker(const SnapshotMaker&) = delete;
    SnapshotMaker& operator=(const SnapshotMaker&) = delete;

    // Counts events the bus made durable or folded. Once `every` have been
    // counted since the last round started, starts one; rounds run one at a
    // time, and what is counted during one goes towards the next.
    void counted(std::int64_t events);
    // Waits until no round runs or is due, and gives how the last one ended
    // (tests, benchmarks).
    Status settled();
    // Abandons any round and makes no more, then writes `bytes` at
    // `next_offsets`: the live model at shutdown, when no decision waits.
    Status write_last(std::span<const std::int64_t> next_offsets, std::string_view bytes);
    // The log the snapshots are of (snapshot::log_identity).
    std::uint64_t log_identity() const { return config_.log; }

  private:
    // Abandons any round and joins the thread; no round starts after it.
    void stop();
    void make_rounds();
    Status round();

    const snapshot::Config config_;
    const eventlog::LogConfig log_;
    const std::function<void()> mid_round_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    std::int64_t since_last_ = 0;
    bool due_ = false;
    bool running_ = false;
    std::atomic<bool> stopping_ = false;
    Status last_;
    std::thread maker_;
};

}  // namespace cc::command
