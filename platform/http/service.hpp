#pragma once
// What every HTTP service shares: configuration from the environment and
// the operational endpoints (/healthz, /readyz, /metrics, /openapi.json),
// which need no token.
#include <functional>
#include <optional>
#include <string>

#include "platform/auth/token.hpp"
#include "platform/http/cors.hpp"
#include "platform/http/router.hpp"
#include "platform/http/server.hpp"

namespace cc::http {

struct ServiceConfig {
    std::string database_url;
    ServerOptions server;
    CorsPolicy cors;
    std::string log_level;

    // CC_DATABASE_URL, CC_HTTP_HOST, CC_HTTP_PORT, CC_HTTP_WORKERS (or the older
    // CC_HTTP_THREADS; `default_workers` when neither is set),
    // CC_HTTP_IO_THREADS, CC_CORS_ORIGINS, CC_LOG_LEVEL.
    static ServiceConfig from_env(const std::string& service_name, std::uint16_t default_port,
                                  int default_workers = 8);
};

// `openapi`, when given, is served at /openapi.json (the service's OpenAPI
// document, the committed file's bytes).
void add_operational_routes(Router& router, std::function<bool()> ready, std::string openapi = {});
// Why the service is not ready (nullopt when it is): /readyz answers 503
// {"status": "not-ready", "reason": ...}, so an operator reads the cause.
using UnreadyReason = std::function<std::optional<std::string>()>;
void add_operational_routes(Router& router, UnreadyReason unready, std::string openapi = {});

// Every route but /healthz, /readyz, /metrics and /openapi.json needs a
// verified bearer token (a client reads the contract before it signs in);
// the caller lands in Request::caller. Refusals are 401 problem+json with
// WWW-Authenticate.
Handler authenticated(Handler inner, const auth::TokenVerifier& verifier);

// Serves until SIGINT/SIGTERM, then runs `before_stop` (stop background
// work) and stops the server, letting in-flight requests finish.
//
// `handler` is the service's own chain (authentication, the router) and runs
// on the worker pool. In front of it every service gets, from here alone:
// - CORS for `config.cors`: a preflight (OPTIONS with Origin and
//   Access-Control-Request-Method) is answered 204 without a token, with the
//   methods `router` has for the path; an origin that is not configured gets
//   the 204 without a grant (only Vary: Origin). Every other answer carries
//   the CORS response headers, refusals included.
// - GET /healthz and /metrics, answered by `router` on the I/O threads
//   without passing through `handler`, so they answer while every worker is
//   busy. /readyz stays on the workers: its check may touch the database.
void serve_until_signal(const ServiceConfig& config, const Router& router, Handler handler,
                        const std::function<void()>& before_stop = {});

// The router as a handler.
Handler dispatch_to(const Router& router);

}  // namespace cc::http
