#pragma once
// The HTTP/1.1 server every service runs: Beast underneath, plain
// Request/Response values on top. Handlers may block (database, log append),
// so they run on a worker pool of their own; the few I/O threads only move
// bytes, and a busy pool never stops the server from accepting, reading and
// answering what needs no worker.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "platform/http/router.hpp"

namespace cc::http {

struct ServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0: any free port (tests)
    int io_threads = 2;      // accept, read, write: never blocked by a handler
    int workers = 8;         // run the handlers, which may block
    std::size_t body_limit = 1 << 20;
    // A route that takes larger bodies (an upload): asked once a request's
    // header is read, with its method and target; `body_limit` when empty.
    // Its answers must not exceed `largest_body_limit`.
    std::function<std::size_t(std::string_view method, std::string_view target)> body_limit_for;
    std::size_t largest_body_limit = 0;
    std::string service_name = "complexcare";
    // How long stop() lets requests in flight (suspended ones too) finish.
    std::chrono::milliseconds stop_wait{10'000};
};

// Answers, on the I/O thread itself, the requests it can answer without
// blocking (health, metrics, CORS preflights, routes that decline to block)
// and declines the rest (nullopt), which go to the workers. It delays every
// connection of its I/O thread while it runs, so it must never wait on
// anything. It runs inside a NoBlocking scope (platform/core/no_blocking.hpp),
// and so does the park function of a suspended answer it gives: if either
// declines to block, the request goes to a worker as if never tried.
using InlineHandler = std::function<std::optional<Response>(Request&)>;

// Adds what every answer needs (CORS headers) to each response: the
// handler's, the inline handler's and the server's own refusals of requests
// it cannot parse (400, 413, 431). Called on I/O and worker threads alike.
using ResponseHook = std::function<void(const Request&, Response&)>;

class Server {
  public:
    Server(ServerOptions options, Handler handler, InlineHandler inline_handler = {},
           ResponseHook every_response = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and starts serving on background threads; returns the bound port.
    std::uint16_t start();
    // Stops accepting, lets in-flight requests finish (bounded), joins threads.
    void stop();

  private:
    struct Impl;
    // Shared with the requests still suspended when it stops (see park()).
    std::shared_ptr<Impl> impl_;
};

// Blocks SIGINT and SIGTERM for every thread created after it (call first in
// main), then `wait_for_shutdown_signal` returns the signal when one arrives.
void block_shutdown_signals();
int wait_for_shutdown_signal();

}  // namespace cc::http
