#pragma once
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "platform/http/message.hpp"

namespace cc::http {

using Handler = std::function<Response(Request&)>;

// Matches "/v1/tenants/{tenant_id}/members/{user_id}"-style patterns; a
// segment in braces binds Request::path_params. An unknown path answers 404,
// a known path with another method 405 with Allow.
class Router {
  public:
    void add(std::string method, std::string pattern, Handler handler);
    Response dispatch(Request& request) const;
    // (method, pattern) of every route, in the order added: what a service
    // checks against the OpenAPI document it publishes.
    std::vector<std::pair<std::string, std::string>> routes() const;

  private:
    struct Route {
        std::string method;
        std::string pattern;
        std::vector<std::string> segments;
        Handler handler;
    };
    std::vector<Route> routes_;
};

}  // namespace cc::http
