#pragma once
// What a fault must not break, checked against the log and the projections
// themselves: every acknowledged command is in the log once, every event of
// the log is projected once, and the projections equal a clean rebuild.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "platform/eventlog/factory.hpp"
#include "tests/faults/load.hpp"

namespace cc::faults {

// The log as the load's commands left it, read by a standalone reader.
struct LogContents {
    std::size_t records = 0;
    std::vector<std::string> event_ids;
    struct Command {
        std::vector<eventlog::Position> positions;  // in log order
        // Every attempt of a command is a request of its own: a command
        // appended twice (a retry after an append that did land) carries two.
        std::set<std::string> request_ids;
    };
    std::map<std::string, Command> by_idempotency_key;
    std::vector<std::string> unreadable;
};
LogContents read_log(const eventlog::LogConfig& config);

// One line per acknowledged command that is not in the log exactly once
// at the position it was acknowledged with.
std::vector<std::string> missing_or_doubled(const LogContents& log,
                                            const std::vector<Acknowledged>& acknowledged);
// One line per event of the log without its audit row, per audit row of no
// event, and per dead letter.
std::vector<std::string> unprojected(const LogContents& log, const std::string& database_url);

// Waits until `done` holds, for as long as `progress` (a count that grows
// while the work goes on: events applied) keeps moving: a long run that is
// behind is waited for, a stuck one fails after `stall` without progress.
bool while_progressing(const std::function<bool()>& done,
                       const std::function<std::int64_t()>& progress,
                       std::chrono::seconds stall = std::chrono::seconds(60));

// Waits until the projection at `database_url` has applied every
// acknowledged position; "" once it has, else where it stands.
std::string wait_projected(const std::string& database_url, const std::string& topic,
                           const std::vector<Acknowledged>& acknowledged);

// The sum of a database's projection checkpoints: the events it has applied.
std::int64_t applied_offsets(const std::string& database_url);

// A second projector, in this process, from offset 0 of the log into
// `fresh_database_url` (migrated, empty): "" once it has reached the log's
// end, else why not.
std::string rebuild(const eventlog::LogConfig& log, const std::string& fresh_database_url);

// An order-independent checksum of every projected table (see kNotCompared
// in consistency.cpp for what is left out, and why).
struct TableChecksum {
    std::int64_t rows = 0;
    std::string digest;
    bool operator==(const TableChecksum&) const = default;
};
std::map<std::string, TableChecksum> checksums(const std::string& database_url);

}  // namespace cc::faults
