#pragma once
// The bookkeeping of read-your-writes waits, without I/O: how far the
// projector is known to have come per partition, and who waits for what,
// until when. The I/O around it (query-service/consistency) feeds it what it
// reads and calls back the waits it reports done, outside its lock.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "platform/eventlog/event_log.hpp"

namespace cc::query {

enum class WaitOutcome { reached, timed_out, shutting_down };

struct WaitLimits {
    std::size_t per_caller = 4;  // concurrent waits of one user
    std::size_t total = 4096;    // concurrent waits of the whole service
};

enum class Admission { admitted, caller_limit, total_limit };

class PositionWaits {
  public:
    using Clock = std::chrono::steady_clock;
    using Done = std::function<void(WaitOutcome)>;
    // A wait that ended, with the callback to run (outside any lock).
    struct Ended {
        Done done;
        WaitOutcome outcome;
        void operator()() const { done(outcome); }
    };

    explicit PositionWaits(WaitLimits limits) : limits_(limits) {}

    // Whether the projector is known to have applied `position`.
    bool reached(const eventlog::Position& position) const;
    // `caller` is an opaque key for the per-caller limit (a user id).
    Admission add(const eventlog::Position& position, const std::string& caller,
                  Clock::time_point deadline, Done done);
    // What the projector has applied: the next offset per partition. Never
    // moves a partition back (a stale read arriving late changes nothing).
    std::vector<Ended> advance(const std::map<int, std::int64_t>& next_offsets);
    std::vector<Ended> expire(Clock::time_point now);
    std::vector<Ended> end_all(WaitOutcome outcome);

    std::size_t size() const { return waits_.size(); }
    bool empty() const { return waits_.empty(); }

  private:
    struct Wait {
        eventlog::Position position;
        std::string caller;
        Clock::time_point deadline;
        Done done;
    };
    std::vector<Ended> remove_if(
        const std::function<std::optional<WaitOutcome>(const Wait&)>& ends);

    WaitLimits limits_;
    std::map<int, std::int64_t> applied_;  // next offset per partition
    std::vector<Wait> waits_;
    std::map<std::string, std::size_t> per_caller_;
};

}  // namespace cc::query
