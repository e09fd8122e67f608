#include "platform/eventlog/factory.hpp"

#include <stdexcept>

#include "platform/config/env.hpp"
#include "platform/eventlog/metered_writer.hpp"

namespace cc::eventlog {

LogConfig log_config_from_env(const std::string& database_url) {
    LogConfig config;
    const auto backend = config::env_or("CC_LOG_BACKEND", "postgres");
    if (backend == "kafka") {
        config.backend = Backend::kafka;
    } else if (backend != "postgres") {
        throw std::invalid_argument("CC_LOG_BACKEND must be 'postgres' or 'kafka'");
    }
    config.postgres.conninfo = database_url;
    config.postgres.partitions = config::env_int("CC_LOG_PARTITIONS", 8);
    config.kafka.bootstrap_servers = config::env_or("CC_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
    config.kafka.topic = config::env_or("CC_KAFKA_TOPIC", config.kafka.topic);
    config.kafka.transactional_id =
        config::env_or("CC_KAFKA_TRANSACTIONAL_ID", config.kafka.transactional_id);
    const auto timeout = config::env_int("CC_LOG_TIMEOUT_MS", 30'000);
    if (timeout < 1000) throw std::invalid_argument("CC_LOG_TIMEOUT_MS must be at least 1000");
    config.timeout = config.kafka.timeout = std::chrono::milliseconds(timeout);
    return config;
}

LogConfig LogConfig::access_stream() const {
    LogConfig access = *this;
    access.unfenced = true;
    access.kafka.topic = access_topic_of(kafka.topic);
    access.kafka.transactional_id.clear();
    access.postgres.table = "access_log";
    access.postgres.fenced = false;
    // Appended at the read rate, and read by a projector that gathers its
    // batches anyway: waking every listening session of the database at
    // each append cost more than the prompt wake is worth.
    access.postgres.wake_readers = false;
    return access;
}

std::unique_ptr<LogWriter> open_writer(const LogConfig& config) {
    if (config.backend == Backend::kafka) {
        return with_metrics(config.unfenced ? open_kafka_stream_writer(config.kafka)
                                            : open_kafka_writer(config.kafka));
    }
    return with_metrics(open_postgres_writer(config.postgres));
}

std::unique_ptr<LogReader> open_reader(const LogConfig& config, ReaderOptions options) {
    if (config.backend == Backend::kafka)
        return open_kafka_reader(config.kafka, std::move(options));
    return open_postgres_reader(config.postgres, std::move(options));
}

std::unique_ptr<LogEnds> open_ends(const LogConfig& config) {
    if (config.backend == Backend::kafka) return open_kafka_ends(config.kafka);
    return open_postgres_ends(config.postgres);
}

}  // namespace cc::eventlog
