#pragma once
// Folding what a reader delivers into a write model up to the log's end: the
// bus's catch-up and each periodic snapshot walk the log the same way.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "command-service/fold.hpp"
#include "platform/core/result.hpp"
#include "platform/eventlog/event_log.hpp"

namespace cc::command {

// How far a write model holds the log, per partition: what a snapshot of it
// names.
struct FoldedUpTo {
    explicit FoldedUpTo(std::size_t partitions)
        : next(partitions, 0), last_records(partitions, 0) {}

    std::vector<std::int64_t> next;  // the next offset to fold
    // snapshot::record_hash() of the record before `next` (0: none yet),
    // which start-up reads back to know a snapshot is of this log.
    std::vector<std::uint64_t> last_records;

    // The record at `offset` of `partition`, holding `value`, is now in.
    void folded(int partition, std::int64_t offset, std::string_view value);
    // The sum of the next offsets: what a snapshot's file is named by. On
    // Kafka transaction markers take offsets too, so it is not a count of events.
    std::int64_t total_offset() const;
};

// Folds every record `reader` delivers into `folder`'s model, skipping those
// `at` says it already holds, until the reader's positions reach `ends`.
// Gives how many it folded. On a failure what was folded stays, and `at`
// says how far: the log could not be read, a record is not one this version
// can fold (log-corrupt: the model must never silently differ from the log),
// or `give_up` returned an error (asked between polls).
Result<std::size_t> fold_to(eventlog::LogReader& reader, LogFolder& folder, FoldedUpTo& at,
                            std::span<const std::int64_t> ends,
                            const std::function<std::optional<Error>()>& give_up);

}  // namespace cc::command
