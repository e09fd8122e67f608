#include "query-service/parameters.hpp"

#include <map>
#include <set>
#include <string>

#include "model/contracts/contracts.hpp"

namespace cc::query {

http::Handler known_parameters_only(http::Handler inner, const http::Router& router,
                                    const boost::json::object& openapi) {
    std::map<std::string, std::set<std::string>> allowed;  // by "METHOD pattern"
    for (const auto& [method, pattern] : router.routes()) {
        allowed[method + " " + pattern] = contracts::query_parameters(openapi, method, pattern);
    }
    return [inner = std::move(inner), &router,
            allowed = std::move(allowed)](http::Request& request) -> http::Response {
        if (request.query.empty()) return inner(request);
        const auto method = request.method == "HEAD" ? std::string("GET") : request.method;
        const auto pattern = router.route_for(method, request.path);
        if (!pattern) return inner(request);  // the router answers 404 or 405
        const auto known = allowed.find(method + " " + *pattern);
        if (known == allowed.end()) return inner(request);
        for (const auto& [name, value] : request.query) {
            if (known->second.contains(name)) continue;
            std::string accepted;
            for (const auto& each : known->second)
                accepted += (accepted.empty() ? "" : ", ") + each;
            Error error = Error::make(ErrorKind::malformed, "unknown-query-parameter",
                                      "this endpoint takes no query parameter '" + name + "'" +
                                          (accepted.empty() ? std::string(" (it takes none)")
                                                            : " (it takes: " + accepted + ")"));
            error.fields.push_back({name, "unknown", error.detail});
            return http::Response::problem(error, request);
        }
        return inner(request);
    };
}

}  // namespace cc::query
