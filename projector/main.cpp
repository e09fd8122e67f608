// projector: consumes the log and materialises the documented tables and audit_logs,
// in the current projection generation, and builds new generations (supervisor.hpp).
#include <atomic>
#include <exception>
#include <thread>

#include "platform/config/env.hpp"
#include "platform/eventlog/factory.hpp"
#include "platform/http/service.hpp"
#include "platform/observability/logger.hpp"
#include "projector/supervisor.hpp"

int main() {
    using namespace cc;
    http::block_shutdown_signals();
    const auto config = http::ServiceConfig::from_env("projector", 8083);
    if (!obs::configure_logging("projector", config.log_level)) return 2;
    try {
        projector::Supervisor supervisor(projector::SupervisorOptions{
            .database_url = config.database_url,
            .log = eventlog::log_config_from_env(config.database_url),
            .projection = config::env_or("CC_PROJECTION", "main"),
            .group = config::env_or("CC_PROJECTOR_GROUP", "complexcare-projector"),
            .batch_size = static_cast<std::size_t>(config::env_int("CC_PROJECTOR_BATCH", 2000)),
        });

        http::Router router;
        http::add_operational_routes(router, [&] { return supervisor.ready(); });
        std::atomic<bool> stop{false};
        std::thread worker([&] { supervisor.run(stop); });
        // The projector's HTTP side is operational only: health and metrics.
        http::serve_until_signal(config, router, http::dispatch_to(router), [&] {
            stop = true;
            worker.join();
        });
    } catch (const std::exception& e) {
        obs::error("fatal", {{"error", e.what()}});
        return 1;
    }
    return 0;
}
