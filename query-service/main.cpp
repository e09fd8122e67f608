// query-service: serves reads from the projections, read-only.
#include <exception>
#include <optional>
#include <pqxx/pqxx>

#include "model/contracts/contracts.hpp"
#include "platform/blob/store_from_env.hpp"
#include "platform/config/env.hpp"
#include "platform/eventlog/factory.hpp"
#include "platform/http/service.hpp"
#include "platform/observability/logger.hpp"
#include "platform/pg/pool.hpp"
#include "query-service/access.hpp"
#include "query-service/access_listener.hpp"
#include "query-service/aggregate/resources.hpp"
#include "query-service/audit/audited.hpp"
#include "query-service/audit_routes.hpp"
#include "query-service/consistency.hpp"
#include "query-service/documents/content.hpp"
#include "query-service/features/feature_queries.hpp"
#include "query-service/generations.hpp"
#include "query-service/identity/identity_queries.hpp"
#include "query-service/parameters.hpp"
#include "query-service/read_api.hpp"

int main() {
    using namespace cc;
    http::block_shutdown_signals();
    const auto config = http::ServiceConfig::from_env("query-service", 8082);
    if (!obs::configure_logging("query-service", config.log_level)) return 2;
    try {
        pg::ConnectionPool pool(config.database_url,
                                static_cast<std::size_t>(config.server.workers), "query");
        const auth::TokenVerifier verifier(auth::AuthConfig::from_env());
        query::GenerationWatch generations(config.database_url);
        query::ReadApi api(pool);
        // The access facts are kept between requests while a listener hears
        // what changes them (CC_ACCESS_CACHE=0: every check reads them).
        query::AccessCache access_cache;
        std::optional<query::AccessListener> access_listener;
        if (config::env_or("CC_ACCESS_CACHE", "1") != "0") {
            access_listener.emplace(config.database_url, access_cache);
        }
        query::Access access(pool, &access_cache);
        http::Router router;
        http::add_operational_routes(
            router,
            [&pool] {
                // A statement, not just a lease: an idle connection the
                // server has dropped would say "ready" during an outage.
                try {
                    auto connection = pool.acquire();
                    pqxx::nontransaction(*connection).exec("SELECT 1");
                    return true;
                } catch (const std::exception&) {
                    return false;
                }
            },
            contracts::query_openapi_text());
        query::add_identity_routes(router, api, access);
        query::add_audit_routes(router, api, access, pool);
        query::add_aggregate_routes(router, api, access);
        query::add_feature_routes(router, api, access);
        // Reads only: the command service's blob store (CC_BLOB_BACKEND).
        const auto blobs = blob::blob_store_from_env();
        obs::info("blob store", {{"store", blobs.description}});
        const auto content = query::ContentConfig::from_env();
        query::add_content_routes(router, api, access, *blobs.store, content);
        // A route the published contract lacks is a bug: refuse to start.
        const auto openapi = contracts::query_openapi(model::aggregates());
        const auto undocumented = contracts::undocumented_routes(openapi, router.routes());
        if (!undocumented.empty()) {
            obs::error("routes missing from openapi/query-service.json",
                       {{"route", undocumented.front()}});
            return 1;
        }
        const auto log_config = eventlog::log_config_from_env(config.database_url);
        query::ProjectionProgress progress(
            pool, config::env_or("CC_PROJECTION", "main"), log_config.topic(),
            [log_config] { return eventlog::open_ends(log_config); },
            query::ConsistencyOptions::from_env(),
            [&generations] { return generations.current_schema(); });
        // Access facts go to their own stream, whatever instance writes them.
        const auto access_config = log_config.access_stream();
        query::AccessRecorder recorder(
            [access_config] { return eventlog::open_writer(access_config); });
        const query::AccessRoutes access_routes(model::aggregates());
        // Authentication first: an unauthenticated request never waits. A
        // parameter the contract does not declare is refused before any wait.
        // Then the request is pinned to one projection generation, whose
        // checkpoints any wait reads.
        http::Handler chain = http::authenticated(
            query::database_outages_answered(query::known_parameters_only(
                query::pin_generation(query::read_your_writes(http::dispatch_to(router), progress),
                                      generations, pool),
                router, openapi)),
            verifier);
        // Outermost: every answer, refusals by authentication included, is
        // held until its access record is durable. Turned off only by the
        // benchmark that measures what auditing costs (bench/read-audit).
        if (config::env_or("CC_BENCH_UNAUDITED_READS", "") == "1") {
            obs::warn("reads are NOT audited (CC_BENCH_UNAUDITED_READS=1): benchmarks only");
        } else {
            chain = query::audited(std::move(chain), router, access_routes, recorder, pool);
        }
        http::serve_until_signal(config, router, std::move(chain),
                                 [&progress, &recorder, &generations] {
                                     progress.stop();
                                     recorder.stop();
                                     generations.stop();
                                 });
    } catch (const std::exception& e) {
        obs::error("fatal", {{"error", e.what()}});
        return 1;
    }
    return 0;
}
