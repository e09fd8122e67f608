#include "command-service/log_tail.hpp"

#include <algorithm>
#include <numeric>

#include "command-service/snapshot.hpp"
#include "platform/observability/logger.hpp"

namespace cc::command {

void FoldedUpTo::folded(int partition, std::int64_t offset, std::string_view value) {
    const auto p = static_cast<std::size_t>(partition);
    next[p] = offset + 1;
    last_records[p] = snapshot::record_hash(value);
}

std::int64_t FoldedUpTo::total_offset() const {
    return std::accumulate(next.begin(), next.end(), std::int64_t{0});
}

Result<std::size_t> fold_to(eventlog::LogReader& reader, LogFolder& folder, FoldedUpTo& at,
                            std::span<const std::int64_t> ends,
                            const std::function<std::optional<Error>()>& give_up) {
    // Compared by the reader's position, not the last record: on Kafka a
    // partition's end also counts transaction markers.
    const auto reached = [&] {
        const auto positions = reader.positions();
        for (std::size_t p = 0; p < ends.size(); ++p) {
            const auto it = positions.find(static_cast<int>(p));
            const auto position = it == positions.end() ? 0 : it->second;
            if (std::max(position, at.next[p]) < ends[p]) return false;
        }
        return true;
    };
    std::size_t folded = 0;
    while (!reached()) {
        if (auto stop = give_up()) return std::move(*stop);
        auto records = reader.poll(1000, std::chrono::milliseconds(200));
        if (!records) return std::move(records).error();
        // Recorded in `at` once per poll and partition, not per record (only
        // the last one's hash counts), and before any return, so that its
        // offsets and hashes always name the same records.
        std::vector<const eventlog::LogRecord*> last(at.next.size(), nullptr);
        const auto record_last = [&] {
            for (const auto* record : last) {
                if (record != nullptr) at.folded(record->partition, record->offset, record->value);
            }
        };
        for (const auto& record : *records) {
            const auto p = static_cast<std::size_t>(record.partition);
            if (record.offset < at.next[p]) continue;
            if (auto status = folder.fold(record); !status) {
                record_last();
                obs::error("unreadable event in the log", {{"partition", record.partition},
                                                           {"offset", record.offset},
                                                           {"error", status.error().detail}});
                return Error::make(ErrorKind::unavailable, "log-corrupt",
                                   "the log holds an event this version cannot read");
            }
            last[p] = &record;
            ++folded;
        }
        record_last();
    }
    return folded;
}

}  // namespace cc::command
