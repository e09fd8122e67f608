#include "platform/eventlog/event_log.hpp"

#include <charconv>

namespace cc::eventlog {

std::string Position::to_string() const {
    return std::to_string(partition) + ":" + std::to_string(offset);
}

std::optional<Position> Position::parse(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    Position p;
    const auto* begin = text.data();
    auto [end1, ec1] = std::from_chars(begin, begin + colon, p.partition);
    auto [end2, ec2] = std::from_chars(begin + colon + 1, begin + text.size(), p.offset);
    if (ec1 != std::errc{} || end1 != begin + colon || ec2 != std::errc{} ||
        end2 != begin + text.size() || p.partition < 0 || p.offset < 0) {
        return std::nullopt;
    }
    return p;
}

int partition_for(std::string_view key, int partition_count) {
    std::uint32_t hash = 2166136261u;
    for (unsigned char c : key) hash = (hash ^ c) * 16777619u;
    return static_cast<int>(hash % static_cast<std::uint32_t>(partition_count));
}

Error position_past_end(const std::string& stream, int partition, std::int64_t end,
                        std::int64_t offset) {
    return Error::make(ErrorKind::internal, "log-position-missing",
                       "partition " + std::to_string(partition) + " of " + stream +
                           " ends at offset " + std::to_string(end) + ", before offset " +
                           std::to_string(offset) +
                           ", the next record to read: the log is older than the position "
                           "kept, and records appended there would be skipped");
}

Error records_lost(const std::string& stream, int partition, std::int64_t offset,
                   const std::string& cause) {
    return Error::make(ErrorKind::internal, "log-records-lost",
                       "partition " + std::to_string(partition) + " of " + stream +
                           " no longer holds offset " + std::to_string(offset) +
                           ", the next record to read: records were deleted before they were "
                           "read (the topic must keep every record, retention.ms=-1), "
                           "and nothing after them is delivered (" +
                           cause + ")");
}

Result<std::vector<std::int64_t>> LogWriter::append(int partition,
                                                    std::span<const OutgoingRecord> records) {
    const PartitionRecords part{partition, records};
    auto offsets = append_all({&part, 1});
    if (!offsets) return std::move(offsets).error();
    return std::move(offsets->front());
}

Status read_to_end(LogReader& reader, const std::function<Status(const LogRecord&)>& each) {
    auto ends = reader.end_offsets();
    if (!ends) return std::move(ends).error();
    // By the reader's position, not the last record: on Kafka a partition's
    // end also counts transaction markers.
    const auto done = [&] {
        const auto positions = reader.positions();
        for (std::size_t p = 0; p < ends->size(); ++p) {
            const auto it = positions.find(static_cast<int>(p));
            if ((it == positions.end() ? 0 : it->second) < (*ends)[p]) return false;
        }
        return true;
    };
    while (!done()) {
        auto records = reader.poll(1000, std::chrono::milliseconds(200));
        if (!records) return std::move(records).error();
        for (const auto& record : *records) {
            if (auto status = each(record); !status) return status;
        }
    }
    return {};
}

}  // namespace cc::eventlog
