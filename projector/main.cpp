// projector: consumes the log and materialises the documented tables and audit_logs,
// in the current projection generation, and builds new generations (supervisor.hpp).
#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <thread>

#include "platform/config/env.hpp"
#include "platform/eventlog/factory.hpp"
#include "platform/http/service.hpp"
#include "platform/observability/logger.hpp"
#include "projector/dead_letters.hpp"
#include "projector/supervisor.hpp"

int main() {
    using namespace cc;
    http::block_shutdown_signals();
    const auto config = http::ServiceConfig::from_env("projector", 8083);
    if (!obs::configure_logging("projector", config.log_level)) return 2;
    try {
        const auto log_config = eventlog::log_config_from_env(config.database_url);
        const auto group = config::env_or("CC_PROJECTOR_GROUP", "complexcare-projector");
        const auto batch_size =
            static_cast<std::size_t>(config::env_int("CC_PROJECTOR_BATCH", 2000));
        // Partitions applied at once, each on a connection of its own.
        const auto workers =
            static_cast<std::size_t>(std::max(1, config::env_int("CC_PROJECTOR_WORKERS", 2)));
        // One supervisor per stream, each with its own checkpoints (named by
        // the stream) and its own consumer group: the domain log's changes,
        // and the access facts the query service appends.
        projector::Supervisor supervisor(projector::SupervisorOptions{
            .database_url = config.database_url,
            .log = log_config,
            .projection = config::env_or("CC_PROJECTION", "main"),
            .group = group,
            .batch_size = batch_size,
            .workers = workers,
        });
        projector::Supervisor access(projector::SupervisorOptions{
            .database_url = config.database_url,
            .log = log_config.access_stream(),
            .projection = config::env_or("CC_PROJECTION", "main"),
            .group = group + ".access",
            .batch_size = batch_size,
            .workers = workers,
            .access_stream = true,
            // Nobody waits for an access row to be projected (the read was
            // answered once its fact was durable), so its batches may gather.
            .gather = std::chrono::milliseconds(
                std::max(0, config::env_int("CC_PROJECTOR_ACCESS_GATHER_MS", 100))),
        });

        http::Router router;
        // Strict: parked events are a reason not to be ready, so a deployment
        // that waits for readiness stops at the first dead letter instead of
        // serving a projection that silently lacks events.
        const bool strict = config::env_or("CC_PROJECTOR_STRICT", "0") == "1";
        std::mutex dead_letters_mutex;
        std::unique_ptr<pqxx::connection> dead_letters_connection;
        const auto projection = config::env_or("CC_PROJECTION", "main");
        http::add_operational_routes(
            router, http::UnreadyReason([&]() -> std::optional<std::string> {
                if (!supervisor.ready() || !access.ready())
                    return "starting: the projector owns no partition yet, or "
                           "its last round failed";
                if (!strict) return std::nullopt;
                const std::lock_guard lock(dead_letters_mutex);
                try {
                    if (!dead_letters_connection || !dead_letters_connection->is_open()) {
                        dead_letters_connection =
                            std::make_unique<pqxx::connection>(config.database_url);
                    }
                    const auto parked =
                        projector::unresolved_dead_letters(*dead_letters_connection, projection);
                    if (parked == 0) return std::nullopt;
                    return std::to_string(parked) +
                           " unresolved dead letter(s) and CC_PROJECTOR_STRICT=1: see "
                           "complexcare dead-letters list";
                } catch (const std::exception&) {
                    dead_letters_connection.reset();
                    return "dead letters cannot be counted: the database is unreachable";
                }
            }));
        std::atomic<bool> stop{false};
        std::thread worker([&] { supervisor.run(stop); });
        std::thread access_worker([&] { access.run(stop); });
        // The projector's HTTP side is operational only: health and metrics.
        http::serve_until_signal(config, router, http::dispatch_to(router), [&] {
            stop = true;
            worker.join();
            access_worker.join();
        });
    } catch (const std::exception& e) {
        obs::error("fatal", {{"error", e.what()}});
        return 1;
    }
    return 0;
}
