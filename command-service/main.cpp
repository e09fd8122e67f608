// command-service: validates commands, decides, appends events to the log.
#include <boost/json/object.hpp>

#include <exception>

#include "command-service/aggregate/routes.hpp"
#include "command-service/chain_heads.hpp"
#include "command-service/command_bus.hpp"
#include "command-service/documents/upload_route.hpp"
#include "command-service/overdue_scheduler.hpp"
#include "command-service/snapshot_maker.hpp"
#include "model/contracts/contracts.hpp"
#include "platform/blob/store_from_env.hpp"
#include "platform/config/env.hpp"
#include "platform/eventlog/factory.hpp"
#include "platform/http/service.hpp"
#include "platform/observability/logger.hpp"

namespace {
// A command's handler decides and returns; its answer waits, suspended,
// for its batch to be durable, holding no worker (api.hpp). Only uploads
// hold one while their file is written and appended: a few more workers
// than cores keep them from stalling every other command.
constexpr int kCommandWorkers = 16;
}  // namespace

int main() {
    using namespace cc;
    http::block_shutdown_signals();
    auto config = http::ServiceConfig::from_env("command-service", 8081, kCommandWorkers);
    if (!obs::configure_logging("command-service", config.log_level)) return 2;
    try {
        const auto uploads = command::UploadConfig::from_env();
        // Only upload routes read large bodies; every other route keeps the small limit.
        const std::size_t default_limit = config.server.body_limit;
        config.server.body_limit_for = [&uploads, default_limit](std::string_view method,
                                                                 std::string_view target) {
            return command::body_limit_for(method, target, uploads, default_limit);
        };
        config.server.largest_body_limit =
            command::body_limit_for("POST", "/v1/tenants/x/documents", uploads, default_limit);
        const auto blobs = blob::blob_store_from_env();
        obs::info("blob store", {{"store", blobs.description}});
        const auth::TokenVerifier verifier(auth::AuthConfig::from_env());
        const auto log_config = eventlog::log_config_from_env(config.database_url);
        // Opening the writer fences any older instance before we read the log.
        auto writer = eventlog::open_writer(log_config);
        // The newest usable snapshot, if any: the reader then starts where it
        // stands, and start-up folds only the log's tail.
        auto snapshots = command::snapshot::Config::from_env(
            log_config.backend == eventlog::Backend::kafka
                ? "kafka " + log_config.kafka.bootstrap_servers + " " + log_config.kafka.topic
                : "postgres " + log_config.postgres.conninfo);
        auto resumed = command::snapshot::resume(snapshots, log_config);
        if (!resumed) {
            obs::error("cannot read the log's ends", {{"error", resumed.error().detail}});
            return 1;
        }
        auto maker = snapshots.enabled() ? std::make_unique<command::SnapshotMaker>(
                                               std::move(snapshots), log_config)
                                         : nullptr;
        command::CommandBus bus(std::move(writer), std::move(resumed->reader), log_config.timeout,
                                std::move(maker), std::move(resumed->snapshot));
        if (auto status = bus.catch_up(); !status) {
            obs::error("cannot rebuild the write model", {{"error", status.error().detail}});
            return 1;
        }
        if (auto status = bus.register_operators(verifier.config().platform_admins); !status) {
            obs::error("cannot register platform operators", {{"error", status.error().detail}});
            return 1;
        }
        if (auto status = bus.register_builtin_features(); !status) {
            obs::error("cannot register the built-in features", {{"error", status.error().detail}});
            return 1;
        }

        http::Router router;
        http::add_operational_routes(
            router, [&bus] { return bus.ready(); }, contracts::command_openapi_text());
        command::add_aggregate_routes(router, bus);
        command::add_upload_routes(router, bus, *blobs.store, uploads);
        // A route the published contract lacks is a bug: refuse to start.
        const auto undocumented = contracts::undocumented_routes(
            contracts::command_openapi(model::aggregates()), router.routes());
        if (!undocumented.empty()) {
            obs::error("routes missing from openapi/command-service.json",
                       {{"route", undocumented.front()}});
            return 1;
        }
        // Started once the write model is caught up: its first sweep marks
        // what fell due while the service was down.
        const command::OverdueScheduler overdue(
            bus, std::chrono::milliseconds(config::env_int("CC_OVERDUE_INTERVAL_MS", 60'000)));
        // The audit trail's chain heads into the log, every interval.
        command::ChainHeadPublisher chain_heads(
            bus, config.database_url,
            std::chrono::milliseconds(config::env_int("CC_CHAIN_HEAD_INTERVAL_MS", 600'000)));
        http::serve_until_signal(config, router,
                                 http::authenticated(http::dispatch_to(router), verifier));
        // Every request has been answered: the model is the log's, and the
        // next start folds only what is appended after this.
        if (auto status = bus.write_snapshot(); !status) {
            obs::warn("write model snapshot not written", {{"error", status.error().detail}});
        }
    } catch (const std::exception& e) {
        obs::error("fatal", {{"error", e.what()}});
        return 1;
    }
    return 0;
}
