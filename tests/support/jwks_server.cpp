#include "tests/support/jwks_server.hpp"

#include "tests/support/rsa_key.hpp"

namespace cc::testing {
namespace {

http::ServerOptions small_server() {
    http::ServerOptions options;  // 127.0.0.1, any free port
    options.io_threads = 1;
    options.workers = 2;
    options.service_name = "jwks-provider";
    return options;
}

}  // namespace

JwksServer::JwksServer(const boost::json::array& keys)
    : document_(jwks_document(keys)),
      server_(small_server(),
              [this](http::Request& request) {
                  if (request.method != "GET" || request.path != "/jwks") {
                      return http::Response::empty(404);
                  }
                  ++fetches_;
                  const std::lock_guard lock(mutex_);
                  http::Response response;
                  response.body = document_;
                  response.headers.emplace_back("Content-Type", "application/json");
                  return response;
              }),
      url_("http://127.0.0.1:" + std::to_string(server_.start()) + "/jwks") {}

void JwksServer::publish(const boost::json::array& keys) {
    const std::lock_guard lock(mutex_);
    document_ = jwks_document(keys);
}

}  // namespace cc::testing
