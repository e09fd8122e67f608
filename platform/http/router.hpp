#pragma once
#include <functional>
#include <map>
#include <optional>
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
    // The pattern of the route that serves `method` (HEAD as GET) on
    // `path`, or nullopt when dispatch would answer 404 or 405.
    std::optional<std::string> route_for(const std::string& method, const std::string& path) const;
    // The methods routed for a path, in registration order: what a CORS
    // preflight may announce. Empty for an unknown path.
    std::vector<std::string> methods_for(const std::string& path) const;
    // Every method any route takes.
    std::vector<std::string> methods() const;
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
    // The route's path parameters when `segments` matches it.
    static std::optional<std::map<std::string, std::string>> match(
        const Route& route, const std::vector<std::string>& segments);

    std::vector<Route> routes_;
};

}  // namespace cc::http
