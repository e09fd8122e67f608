#include "platform/http/service.hpp"

#include "platform/config/env.hpp"
#include "platform/observability/logger.hpp"
#include "platform/observability/metrics.hpp"

namespace cc::http {

ServiceConfig ServiceConfig::from_env(const std::string& service_name, std::uint16_t default_port) {
    ServiceConfig config;
    config.database_url =
        config::env_or("CC_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/complexcare");
    config.server.service_name = service_name;
    config.server.host = config::env_or("CC_HTTP_HOST", "127.0.0.1");
    config.server.port = static_cast<std::uint16_t>(config::env_int("CC_HTTP_PORT", default_port));
    config.server.threads = config::env_int("CC_HTTP_THREADS", 8);
    config.log_level = config::env_or("CC_LOG_LEVEL", "info");
    return config;
}

void add_operational_routes(Router& router, std::function<bool()> ready, std::string openapi) {
    router.add("GET", "/healthz", [](Request&) {
        return Response::json(200, boost::json::object{{"status", "ok"}});
    });
    router.add("GET", "/readyz", [ready = std::move(ready)](Request&) {
        const bool is_ready = ready();
        return Response::json(is_ready ? 200 : 503,
                              boost::json::object{{"status", is_ready ? "ready" : "starting"}});
    });
    router.add("GET", "/metrics", [](Request&) {
        Response r;
        r.body = obs::render_metrics();
        r.headers.emplace_back("Content-Type", "text/plain; version=0.0.4");
        return r;
    });
    if (openapi.empty()) return;
    router.add("GET", "/openapi.json", [document = std::move(openapi)](Request&) {
        Response r;
        r.body = document;
        r.headers.emplace_back("Content-Type", "application/json");
        return r;
    });
}

}  // namespace cc::http

namespace cc::http {

void serve_until_signal(const ServiceConfig& config, Handler handler,
                        const std::function<void()>& before_stop) {
    Server server(config.server, std::move(handler));
    const auto port = server.start();
    obs::info("listening", {{"host", config.server.host}, {"port", port}});
    const int signal = wait_for_shutdown_signal();
    obs::info("shutting down", {{"signal", signal}});
    if (before_stop) before_stop();
    server.stop();
}

Handler dispatch_to(const Router& router) {
    return [&router](Request& request) { return router.dispatch(request); };
}

Handler authenticated(Handler inner, const auth::TokenVerifier& verifier) {
    return [inner = std::move(inner), &verifier](Request& request) {
        if (request.path == "/healthz" || request.path == "/readyz" || request.path == "/metrics" ||
            request.path == "/openapi.json") {
            return inner(request);
        }
        auto claims = verifier.verify_header(request.header("authorization"));
        if (!claims) return Response::problem(claims.error(), request);
        request.caller = auth::Caller{claims->subject, claims->platform_admin};
        return inner(request);
    };
}

}  // namespace cc::http
