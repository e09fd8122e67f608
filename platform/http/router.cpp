#include "platform/http/router.hpp"

#include <algorithm>

namespace cc::http {
namespace {

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> segments;
    std::string current;
    for (char c : path) {
        if (c == '/') {
            if (!current.empty()) segments.push_back(std::move(current));
            current.clear();
        } else {
            current.push_back(c);
        }
    }
    if (!current.empty()) segments.push_back(std::move(current));
    return segments;
}

bool is_parameter(const std::string& segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, Blocking blocking) {
    auto segments = split_path(pattern);
    any_declines_ = any_declines_ || blocking == Blocking::declines;
    routes_.push_back(Route{std::move(method), std::move(pattern), std::move(segments),
                            std::move(handler), blocking});
}

std::vector<std::pair<std::string, std::string>> Router::routes() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& route : routes_) out.emplace_back(route.method, route.pattern);
    return out;
}

std::optional<std::map<std::string, std::string>> Router::match(
    const Route& route, const std::vector<std::string>& segments) {
    if (route.segments.size() != segments.size()) return std::nullopt;
    std::map<std::string, std::string> params;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (is_parameter(route.segments[i])) {
            params[route.segments[i].substr(1, route.segments[i].size() - 2)] = segments[i];
        } else if (route.segments[i] != segments[i]) {
            return std::nullopt;
        }
    }
    return params;
}

namespace {

// HEAD is GET without the body (RFC 9110 §9.3.2): every GET route answers
// it, and the server leaves the body out.
bool serves(const std::string& route_method, const std::string& request_method) {
    return route_method == request_method || (route_method == "GET" && request_method == "HEAD");
}

}  // namespace

Response Router::dispatch(Request& request) const {
    const auto segments = split_path(request.path);
    std::string allowed;
    for (const auto& route : routes_) {
        auto params = match(route, segments);
        if (!params) continue;
        if (!serves(route.method, request.method)) {
            if (!allowed.empty()) allowed += ", ";
            allowed += route.method;
            if (route.method == "GET") allowed += ", HEAD";
            continue;
        }
        request.path_params = std::move(*params);
        request.route = route.pattern;
        return route.handler(request);
    }
    if (!allowed.empty()) {
        Error error = Error::make(ErrorKind::malformed, "method-not-allowed",
                                  "method " + request.method + " is not allowed here");
        return Response::problem(error, request, 405).with_header("Allow", allowed);
    }
    return Response::problem(
        Error::make(ErrorKind::not_found, "route-not-found", "no such resource: " + request.path),
        request);
}

const Router::Route* Router::find(const std::string& method, const std::string& path) const {
    const auto segments = split_path(path);
    for (const auto& route : routes_) {
        if (serves(route.method, method) && match(route, segments)) return &route;
    }
    return nullptr;
}

std::optional<std::string> Router::route_for(const std::string& method,
                                             const std::string& path) const {
    const auto* route = find(method, path);
    if (route == nullptr) return std::nullopt;
    return route->pattern;
}

bool Router::declines_to_block(const std::string& method, const std::string& path) const {
    // Asked of every request on an I/O thread: a service with no such route
    // pays no match for it.
    if (!any_declines_) return false;
    const auto* route = find(method, path);
    return route != nullptr && route->blocking == Blocking::declines;
}

std::vector<std::string> Router::methods_for(const std::string& path) const {
    const auto segments = split_path(path);
    std::vector<std::string> found;
    for (const auto& route : routes_) {
        if (!match(route, segments)) continue;
        for (const auto& method :
             {route.method, std::string(route.method == "GET" ? "HEAD" : "")}) {
            if (!method.empty() && std::find(found.begin(), found.end(), method) == found.end())
                found.push_back(method);
        }
    }
    return found;
}

std::vector<std::string> Router::methods() const {
    std::vector<std::string> found;
    for (const auto& route : routes_) {
        if (std::find(found.begin(), found.end(), route.method) == found.end()) {
            found.push_back(route.method);
        }
    }
    return found;
}

}  // namespace cc::http
