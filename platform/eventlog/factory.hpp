#pragma once
// Picks the log adapter from configuration (CC_LOG_BACKEND).
#include <chrono>
#include <memory>
#include <string>

#include "platform/eventlog/kafka_log.hpp"
#include "platform/eventlog/postgres_log.hpp"

namespace cc::eventlog {

enum class Backend { postgres, kafka };

struct LogConfig {
    Backend backend = Backend::postgres;
    PostgresLogConfig postgres;
    KafkaConfig kafka;
    // The most a command waits for the log, whatever it waits on: the
    // writer (KafkaConfig::timeout is the same), a catch-up, another
    // command's append (CC_LOG_TIMEOUT_MS).
    std::chrono::milliseconds timeout{30'000};

    // Appends from any number of writers, unfenced (access facts).
    bool unfenced = false;

    // Name under which projections record their checkpoints.
    std::string topic() const { return backend == Backend::kafka ? kafka.topic : postgres.table; }
    // The access stream beside this log: its own topic (<topic>.access) or
    // its own PostgreSQL tables (access_log), with no single writer.
    LogConfig access_stream() const;
};

// CC_LOG_BACKEND (postgres|kafka), CC_LOG_PARTITIONS, CC_LOG_TIMEOUT_MS,
// CC_KAFKA_BOOTSTRAP, CC_KAFKA_TOPIC, CC_KAFKA_TRANSACTIONAL_ID; the
// PostgreSQL log lives in the database at `database_url`.
LogConfig log_config_from_env(const std::string& database_url);

std::unique_ptr<LogWriter> open_writer(const LogConfig& config);
std::unique_ptr<LogReader> open_reader(const LogConfig& config, ReaderOptions options);
// Reads no records and holds no partition: one lookup per end_offsets() call.
// Throws when the log cannot be reached (a Kafka topic's partition count is
// metadata).
std::unique_ptr<LogEnds> open_ends(const LogConfig& config);

}  // namespace cc::eventlog
