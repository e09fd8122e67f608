#pragma once
// The HTTP/1.1 server every service runs: Beast underneath, plain
// Request/Response values on top. Handlers may block (database, log append):
// they run on the server's thread pool.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "platform/http/router.hpp"

namespace cc::http {

struct ServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0: any free port (tests)
    int threads = 8;
    std::size_t body_limit = 1 << 20;
    std::string service_name = "complexcare";
};

class Server {
  public:
    Server(ServerOptions options, Handler handler);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and starts serving on background threads; returns the bound port.
    std::uint16_t start();
    // Stops accepting, lets in-flight requests finish (bounded), joins threads.
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Blocks SIGINT and SIGTERM for every thread created after it (call first in
// main), then `wait_for_shutdown_signal` returns the signal when one arrives.
void block_shutdown_signals();
int wait_for_shutdown_signal();

}  // namespace cc::http
