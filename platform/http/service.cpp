#include "platform/http/service.hpp"

#include "platform/config/env.hpp"
#include "platform/observability/build_info.hpp"
#include "platform/observability/logger.hpp"
#include "platform/observability/metrics.hpp"

namespace cc::http {

ServiceConfig ServiceConfig::from_env(const std::string& service_name, std::uint16_t default_port,
                                      int default_workers) {
    ServiceConfig config;
    config.database_url =
        config::env_or("CC_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/complexcare");
    config.server.service_name = service_name;
    config.server.host = config::env_or("CC_HTTP_HOST", "127.0.0.1");
    config.server.port = static_cast<std::uint16_t>(config::env_int("CC_HTTP_PORT", default_port));
    config.server.workers =
        config::env_int("CC_HTTP_WORKERS", config::env_int("CC_HTTP_THREADS", default_workers));
    config.server.io_threads = config::env_int("CC_HTTP_IO_THREADS", 2);
    config.cors = CorsPolicy::parse(config::env_or("CC_CORS_ORIGINS", ""));
    config.log_level = config::env_or("CC_LOG_LEVEL", "info");
    return config;
}

namespace {

void add_health(Router& router, std::function<Response()> readiness, std::string openapi);

}  // namespace

void add_operational_routes(Router& router, std::function<bool()> ready, std::string openapi) {
    add_health(
        router,
        [ready = std::move(ready)] {
            const bool is_ready = ready();
            return Response::json(is_ready ? 200 : 503,
                                  boost::json::object{{"status", is_ready ? "ready" : "starting"}});
        },
        std::move(openapi));
}

void add_operational_routes(Router& router, UnreadyReason unready, std::string openapi) {
    add_health(
        router,
        [unready = std::move(unready)] {
            const auto reason = unready();
            if (!reason) return Response::json(200, boost::json::object{{"status", "ready"}});
            return Response::json(
                503, boost::json::object{{"status", "not-ready"}, {"reason", *reason}});
        },
        std::move(openapi));
}

namespace {

void add_health(Router& router, std::function<Response()> readiness, std::string openapi) {
    router.add("GET", "/healthz", [](Request&) {
        return Response::json(200, boost::json::object{{"status", "ok"}});
    });
    router.add("GET", "/readyz",
               [readiness = std::move(readiness)](Request&) { return readiness(); });
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

}  // namespace

}  // namespace cc::http

namespace cc::http {

namespace {

Response answer_preflight(const CorsPolicy& cors, const Router& router, const Request& request) {
    auto methods = router.methods_for(request.path);
    // An unknown path still gets a preflight answer: the real request then
    // meets a readable 404 instead of an opaque CORS failure.
    if (methods.empty()) methods = router.methods();
    Response response = Response::empty(204);
    response.headers = cors.preflight_headers(request.header("origin"), methods);
    return response;
}

bool is_preflight(const Request& request) {
    return CorsPolicy::is_preflight(request.method, request.header("origin"),
                                    request.header("access-control-request-method"));
}

bool answers_on_io_thread(const Request& request) {
    return request.method == "GET" && (request.path == "/healthz" || request.path == "/metrics");
}

}  // namespace

void serve_until_signal(const ServiceConfig& config, const Router& router, Handler handler,
                        const std::function<void()>& before_stop) {
    const CorsPolicy& cors = config.cors;
    // A route that declines to block is tried on the I/O thread through the
    // whole handler (authentication included): it saves the hop to a
    // worker and back, and goes to one only when something would block.
    // Both handlers live until the server below has stopped and joined.
    const Handler whole = std::move(handler);
    InlineHandler on_io_thread = [&cors, &router,
                                  &whole](Request& request) -> std::optional<Response> {
        if (is_preflight(request)) return answer_preflight(cors, router, request);
        if (answers_on_io_thread(request)) return router.dispatch(request);
        if (router.declines_to_block(request.method, request.path)) return whole(request);
        return std::nullopt;
    };
    // A preflight's answer already holds its CORS headers.
    ResponseHook add_cors = [&cors](const Request& request, Response& response) {
        if (is_preflight(request)) return;
        merge_headers(response.headers, cors.response_headers(request.header("origin")));
    };
    Server server(config.server, whole, std::move(on_io_thread), std::move(add_cors));
    const auto port = server.start();
    obs::publish_build_info(config.server.service_name);
    obs::info("listening", {{"host", config.server.host},
                            {"port", port},
                            {"version", obs::build_info().version},
                            {"commit", obs::build_info().commit},
                            {"workers", config.server.workers},
                            {"io_threads", config.server.io_threads},
                            {"cors_origins", config.cors.origins().size()}});
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
