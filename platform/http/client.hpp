#pragma once
// A blocking HTTP/1.1 client for the operator's tools (`complexcare seed`):
// one keep-alive connection to one host, reconnected when the server closes
// it. Not thread-safe: one client per thread.
#include <map>
#include <memory>
#include <string>

#include "platform/core/result.hpp"

namespace cc::http {

struct ClientResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
};

class Client {
  public:
    // `base_url` is http://host[:port]; anything else is refused on first use.
    explicit Client(std::string base_url);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // A transport failure (refused, reset, timeout) is an `unavailable`
    // error; any HTTP status is a response.
    Result<ClientResponse> send(const std::string& method, const std::string& target,
                                const std::string& body,
                                const std::map<std::string, std::string>& headers);

  private:
    struct Connection;
    std::string host_, port_;
    bool valid_url_ = false;
    std::unique_ptr<Connection> connection_;
};

}  // namespace cc::http
