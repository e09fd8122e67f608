#pragma once
// The single-machine log: the same partitions, offsets, order and fencing, in
// PostgreSQL tables (migrations/log/0002_event_pipeline.sql: event_log, event_log_partitions,
// event_log_writer). Appends commit before they are acknowledged; readers tail
// with LISTEN/NOTIFY.
#include <memory>
#include <string>

#include "platform/eventlog/event_log.hpp"

namespace cc::eventlog {

struct PostgresLogConfig {
    std::string conninfo;
    int partitions = 8;
};

// Creates the partition rows on first use and takes a new writer epoch,
// fencing every writer opened before. Throws when the database refuses, or
// when the log already has a different partition count.
std::unique_ptr<LogWriter> open_postgres_writer(const PostgresLogConfig& config);
std::unique_ptr<LogReader> open_postgres_reader(const PostgresLogConfig& config,
                                                ReaderOptions options);
std::unique_ptr<LogEnds> open_postgres_ends(const PostgresLogConfig& config);

}  // namespace cc::eventlog
