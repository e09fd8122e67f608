// projector: consumes the log and materialises the documented tables and audit_logs.
#include <atomic>
#include <exception>
#include <thread>

#include "platform/config/env.hpp"
#include "platform/eventlog/factory.hpp"
#include "platform/http/service.hpp"
#include "platform/observability/logger.hpp"
#include "projector/projector.hpp"

int main() {
    using namespace cc;
    http::block_shutdown_signals();
    const auto config = http::ServiceConfig::from_env("projector", 8083);
    if (!obs::configure_logging("projector", config.log_level)) return 2;
    try {
        const auto log_config = eventlog::log_config_from_env(config.database_url);
        const auto projection = config::env_or("CC_PROJECTION", "main");
        const auto group = config::env_or("CC_PROJECTOR_GROUP", "complexcare-projector");
        const auto batch_size =
            static_cast<std::size_t>(config::env_int("CC_PROJECTOR_BATCH", 2000));
        // One projector per stream, each with its own checkpoints (named by
        // the stream) and its own consumer group: the domain log's changes,
        // and the access facts the query service appends.
        projector::Projector projector(projector::ProjectorOptions{
            .database_url = config.database_url,
            .projection = projection,
            .topic = log_config.topic(),
            .batch_size = batch_size,
        });
        const auto access_config = log_config.access_stream();
        projector::Projector access(projector::ProjectorOptions{
            .database_url = config.database_url,
            .projection = projection,
            .topic = access_config.topic(),
            .batch_size = batch_size,
            .access_stream = true,
        });
        auto reader = eventlog::open_reader(
            log_config, eventlog::ReaderOptions{
                            .group = group,
                            .start_offset = [&](int p) { return projector.checkpoint(p); },
                        });
        auto access_reader = eventlog::open_reader(
            access_config, eventlog::ReaderOptions{
                               .group = group + ".access",
                               .start_offset = [&](int p) { return access.checkpoint(p); },
                           });

        http::Router router;
        http::add_operational_routes(router, [&] { return projector.ready() && access.ready(); });
        std::atomic<bool> stop{false};
        std::thread worker([&] { projector.run(*reader, stop); });
        std::thread access_worker([&] { access.run(*access_reader, stop); });
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
