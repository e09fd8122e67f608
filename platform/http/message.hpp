#pragma once
// Plain request/response values: handlers and domain adapters see these, never
// Beast types, so only server.cpp pays for Beast's templates.
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/auth/permissions.hpp"
#include "platform/core/result.hpp"

namespace cc::http {

struct Request {
    std::string method;  // upper case: GET, POST, ...
    std::string target;  // as sent: path and query
    std::string path;    // percent-decoded path without query
    std::multimap<std::string, std::string> query;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
    std::string body;
    std::string remote_ip;
    std::string request_id;  // X-Request-Id if sent (sanitised), else generated
    std::map<std::string, std::string> path_params;  // filled by the router
    std::string route;     // the matched route's pattern, e.g. /v1/tenants/{tenant_id}; "" if none
    auth::Caller caller;   // set once the bearer token is verified
    bool resumed = false;  // the handler runs again after its suspension ended

    std::optional<std::string> header(std::string_view lower_case_name) const;
    std::optional<std::string> query_param(std::string_view name) const;
    const std::string& param(const std::string& name) const { return path_params.at(name); }
};

struct Response;
// Ends a suspension, exactly once, from any thread: nullopt runs the handler
// again on a worker (with Request::resumed set), an answer is sent as is.
using Resume = std::function<void(std::optional<Response>)>;

// A body too large to hold in memory, pulled a piece at a time as the
// connection takes it. The server calls `read` on a worker thread (it may
// block), never two at once. It must yield exactly `size()` bytes; an error,
// or an end before them, aborts the connection, so the client sees fewer
// bytes than the Content-Length it was promised, never a wrong byte.
//
// A source whose size is not known before it ends (an export read from a
// database cursor) says kUnknownSize: the body goes out chunked
// (Transfer-Encoding: chunked), and `read` answers 0 at its end. An error
// then aborts the connection before the last chunk, so the client sees a
// body that never ended properly, never a short one taken for whole.
class BodySource {
  public:
    static constexpr std::uint64_t kUnknownSize = ~std::uint64_t{0};
    virtual ~BodySource() = default;
    virtual std::uint64_t size() const = 0;
    // Up to out.size() bytes, at least one while any remain.
    virtual Result<std::size_t> read(std::span<char> out) = 0;
};

struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // Instead of `body`: the server writes the source's bytes as it reads them.
    std::shared_ptr<BodySource> streamed;
    // Set by suspend(): the server hands it the request's Resume once the
    // handler has returned, and frees the worker meanwhile.
    std::function<void(Resume)> park;

    // For a handler that must wait for something outside the service (the
    // projector reaching a position): waiting on a worker would let a few
    // slow requests stall every other one.
    static Response suspend(std::function<void(Resume)> park);
    bool suspended() const { return static_cast<bool>(park); }
    static Response json(int status, const boost::json::value& body);
    static Response empty(int status);
    static Response stream(int status, std::shared_ptr<BodySource> source);
    // RFC 9457 application/problem+json.
    // `status` overrides the status the error kind maps to (405 from the router).
    static Response problem(const Error& error, const Request& request, int status = 0);
    // What problem() names of a request (its path and id), kept for an
    // answer made once the request is gone (a suspended one).
    static Request problem_subject(const Request& request);
    Response& with_header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
};

int status_for(ErrorKind kind);
// Stable problem type URI for a slug: "urn:complexcare:problem:<slug>".
std::string problem_type_uri(std::string_view slug);

}  // namespace cc::http
