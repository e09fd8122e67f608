#pragma once
// An OpenID Connect provider's JWKS endpoint on loopback: the platform's own
// HTTP server answering GET /jwks with the key set published now, and
// counting the fetches it saw (how a test sees the refresh rate limit hold).
#include <boost/json/array.hpp>

#include <atomic>
#include <mutex>
#include <string>

#include "platform/http/server.hpp"

namespace cc::testing {

class JwksServer {
  public:
    explicit JwksServer(const boost::json::array& keys);
    // What the next fetch gets: a provider rotating its keys.
    void publish(const boost::json::array& keys);
    int fetches() const { return fetches_.load(); }
    const std::string& url() const { return url_; }

  private:
    std::mutex mutex_;
    std::string document_;
    std::atomic<int> fetches_{0};
    http::Server server_;
    std::string url_;
};

}  // namespace cc::testing
