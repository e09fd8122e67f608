#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "platform/http/message.hpp"

namespace cc::http {

using Handler = std::function<Response(Request&)>;

// Whether a route's handler, and the park function of a suspended answer
// it gives, may be tried on a server's I/O thread: they wait on nothing
// that does not decline under NoBlocking (platform/core/no_blocking.hpp),
// and they have done nothing that cannot be done twice when something does.
enum class Blocking : std::uint8_t { may_block, declines };

// Matches "/v1/tenants/{tenant_id}/members/{user_id}"-style patterns; a
// segment in braces binds Request::path_params. An unknown path answers 404,
// a known path with another method 405 with Allow.
class Router {
  public:
    void add(std::string method, std::string pattern, Handler handler,
             Blocking blocking = Blocking::may_block);
    // Whether the route that serves `method` on `path` was added with
    // Blocking::declines (no routes are matched when none was).
    bool declines_to_block(const std::string& method, const std::string& path) const;
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
        Blocking blocking = Blocking::may_block;
    };
    // The route that serves `method` (HEAD as GET) on `path`, if any.
    const Route* find(const std::string& method, const std::string& path) const;
    // The route's path parameters when `segments` matches it.
    static std::optional<std::map<std::string, std::string>> match(
        const Route& route, const std::vector<std::string>& segments);

    std::vector<Route> routes_;
    bool any_declines_ = false;
};

}  // namespace cc::http
