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
    // The stream's tables are <table>, <table>_partitions (and, fenced,
    // <table>_writer); NOTIFY goes to channel <table>. "event_log" is the
    // domain log, "access_log" the access facts (migration 0035).
    std::string table = "event_log";
    // A single writer fences every older one (the domain log). An unfenced
    // stream takes appends from any number of writers at once.
    bool fenced = true;
    // An append NOTIFYs channel <table> and readers LISTEN on it, so a
    // tailing reader wakes at once. PostgreSQL (15) signals every session
    // that listens in the database, on any channel, at each notifying
    // commit: a stream appended hundreds of times a second whose reader
    // need not wake at once (the access stream) turns this off, and its
    // readers find new records when their poll's timeout passes.
    bool wake_readers = true;
};

// Creates the partition rows on first use and, fenced, takes a new writer
// epoch, fencing every writer opened before. Throws when the database refuses, or
// when the log already has a different partition count.
std::unique_ptr<LogWriter> open_postgres_writer(const PostgresLogConfig& config);
std::unique_ptr<LogReader> open_postgres_reader(const PostgresLogConfig& config,
                                                ReaderOptions options);
std::unique_ptr<LogEnds> open_postgres_ends(const PostgresLogConfig& config);

}  // namespace cc::eventlog
