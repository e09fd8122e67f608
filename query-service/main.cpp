// query-service: serves reads from the projections, read-only.
#include <exception>

#include "platform/http/service.hpp"
#include "platform/observability/logger.hpp"
#include "platform/pg/pool.hpp"
#include "query-service/access.hpp"
#include "query-service/identity/identity_queries.hpp"
#include "query-service/read_api.hpp"

int main() {
    using namespace cc;
    http::block_shutdown_signals();
    const auto config = http::ServiceConfig::from_env("query-service", 8082);
    obs::configure_logging("query-service", config.log_level);
    try {
        pg::ConnectionPool pool(config.database_url,
                                static_cast<std::size_t>(config.server.threads));
        const auth::TokenVerifier verifier(auth::AuthConfig::from_env());
        query::ReadApi api(pool);
        query::Access access(pool);
        http::Router router;
        http::add_operational_routes(router, [&pool] {
            try {
                pool.acquire();
                return true;
            } catch (const std::exception&) {
                return false;
            }
        });
        query::add_identity_routes(router, api, access);
        http::Server server(config.server, http::authenticated(router, verifier));
        const auto port = server.start();
        obs::info("listening", {{"host", config.server.host}, {"port", port}});
        const int signal = http::wait_for_shutdown_signal();
        obs::info("shutting down", {{"signal", signal}});
        server.stop();
    } catch (const std::exception& e) {
        obs::error("fatal", {{"error", e.what()}});
        return 1;
    }
    return 0;
}
