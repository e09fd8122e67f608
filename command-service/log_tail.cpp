#include "command-service/log_tail.hpp"

#include <algorithm>
#include <numeric>

#include "command-service/snapshot.hpp"
#include "platform/observability/logger.hpp"

namespace cc::command {

void FoldedUpTo::folded(const eventlog::LogRecord& record) {
    const auto p = static_cast<std::size_t>(record.partition);
    next[p] = record.offset + 1;
    last_records[p] = snapshot::record_hash(record.value);
}

std::int64_t FoldedUpTo::events() const {
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
        // Hashed once per poll and partition, not per record: only the last counts.
        std::vector<const eventlog::LogRecord*> last(at.next.size(), nullptr);
        for (const auto& record : *records) {
            const auto p = static_cast<std::size_t>(record.partition);
            if (record.offset < at.next[p]) continue;
            if (auto status = folder.fold(record); !status) {
                obs::error("unreadable event in the log", {{"partition", record.partition},
                                                           {"offset", record.offset},
                                                           {"error", status.error().detail}});
                return Error::make(ErrorKind::unavailable, "log-corrupt",
                                   "the log holds an event this version cannot read");
            }
            at.next[p] = record.offset + 1;
            last[p] = &record;
            ++folded;
        }
        for (const auto* record : last) {
            if (record != nullptr) at.folded(*record);
        }
    }
    return folded;
}

}  // namespace cc::command
