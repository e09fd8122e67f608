#pragma once
// The event log behind one small interface, with a PostgreSQL and a Kafka
// adapter held to the same contract tests (tests/integration/event_log_contract_test.cpp):
//  - records appended to one partition are delivered in append order;
//  - an append that returned success is durable (survives a crash of the writer);
//  - a reader resumes from any stored position (seek / start_offset);
//  - once a newer writer has opened, every append of an older one fails (fencing).
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "platform/core/result.hpp"

namespace cc::eventlog {

struct Header {
    std::string key;
    std::string value;
    bool operator==(const Header&) const = default;
};

struct OutgoingRecord {
    std::string key;  // tenant id for tenant-scoped events: it picks the partition
    std::string value;
    std::vector<Header> headers;
};

struct LogRecord {
    int partition = 0;
    std::int64_t offset = 0;
    std::string key;
    std::string value;
    std::vector<Header> headers;
};

// A point in the log: "the record at `offset` of `partition`". Its text form
// "<partition>:<offset>" is the position token the command API returns.
struct Position {
    int partition = 0;
    std::int64_t offset = 0;

    std::string to_string() const;
    static std::optional<Position> parse(std::string_view text);
    bool operator==(const Position&) const = default;
};

// Both adapters place a key with the same function (FNV-1a 32-bit modulo the
// partition count), so a log exported from one imports into the other unchanged.
int partition_for(std::string_view key, int partition_count);

// One partition's share of an append.
struct PartitionRecords {
    int partition = 0;
    std::span<const OutgoingRecord> records;
};

class LogWriter {
  public:
    virtual ~LogWriter() = default;
    virtual int partition_count() const = 0;
    // Appends every part atomically, all or nothing (one PostgreSQL
    // transaction, one Kafka transaction), each part's records in order in
    // its partition. On success they are durable and the result holds, per
    // part, each record's offset. Fails with ErrorKind::unavailable and type
    // "writer-fenced" once a newer writer exists. What group commit needs:
    // the commands of a batch may span partitions (a user, then a membership
    // of that user), and none may be durable without those decided before it.
    virtual Result<std::vector<std::vector<std::int64_t>>> append_all(
        std::span<const PartitionRecords> parts) = 0;
    // All records to one partition, atomically and in order.
    Result<std::vector<std::int64_t>> append(int partition,
                                             std::span<const OutgoingRecord> records);
};

// Where a reader starts a partition it has just been given.
using StartOffsetFn = std::function<std::int64_t(int partition)>;

struct ReaderOptions {
    // Empty: a standalone reader that owns every partition (the command
    // service replaying its write model, an export). Otherwise the partitions
    // are shared among the readers of the group: Kafka consumer group, or
    // PostgreSQL advisory locks per partition.
    std::string group;
    StartOffsetFn start_offset = [](int) { return std::int64_t{0}; };
};

// How far the log reaches: enough for a service that never reads records to
// tell a position that does not exist yet from one that is merely not
// processed yet (the query service's read-your-writes waits).
class LogEnds {
  public:
    virtual ~LogEnds() = default;
    virtual int partition_count() const = 0;
    // The next offset to be written, per partition: "caught up" means reaching these.
    virtual Result<std::vector<std::int64_t>> end_offsets() = 0;
};

class LogReader : public LogEnds {
  public:
    // Up to max_records records from the partitions this reader owns, each
    // partition in order; waits up to `timeout` when there is nothing new.
    virtual Result<std::vector<LogRecord>> poll(std::size_t max_records,
                                                std::chrono::milliseconds timeout) = 0;
    // Deliver `partition` again from `offset` (after an apply that rolled back).
    virtual void seek(int partition, std::int64_t offset) = 0;
    // Partitions currently owned (all of them for a standalone reader).
    virtual std::vector<int> owned_partitions() const = 0;
    // Where the reader stands in each owned partition: the next offset it
    // will look at. Compare with end_offsets() to know it is caught up; on
    // Kafka this also steps over transaction markers, which take an offset
    // but carry no record.
    virtual std::map<int, std::int64_t> positions() = 0;
};

// What a reader answers, on every poll from then on, when the log lacks the
// next record of a partition it reads: skipping to the records the log does
// hold would lose the ones between without a word. Past the partition's end
// the log is older than the position kept (log-position-missing); before
// it, records were deleted unread (log-records-lost). `stream` names the
// topic or table; `cause` is the log's own words, when it has some.
Error position_past_end(const std::string& stream, int partition, std::int64_t end,
                        std::int64_t offset);
Error records_lost(const std::string& stream, int partition, std::int64_t offset,
                   const std::string& cause);

// Hands every record up to the log's end as of the call to `each`, in each
// partition's order, from a standalone reader: an offline scan of the whole
// history (blob garbage collection, an export).
Status read_to_end(LogReader& reader, const std::function<Status(const LogRecord&)>& each);

}  // namespace cc::eventlog
