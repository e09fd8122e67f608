#pragma once
// Reading one request, apart from the socket: Beast's parser set up as the
// server runs it, what it read turned into a plain Request, and the
// requests the server answers itself with a refusal (400, 413, 414, 431,
// 505) before closing. server.cpp drives these from a connection;
// read_request() drives them from bytes in memory, so the fuzzer and the
// unit tests reach the very code a client does.
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "platform/http/message.hpp"
#include "platform/http/server.hpp"

namespace cc::http {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// A request the parser cannot go on from: answered with a problem of this
// status and type, then the connection closes.
struct Refusal {
    int status = 400;
    const char* type = "";
    const char* detail = "";
};

// Before a header is read: the parser's limits. The body limit starts at the
// largest any route allows, since a Content-Length over it is refused while
// the header is read, before the route is known.
void prepare(RequestParser& parser, const ServerOptions& options);
// Once the header is read: narrows the body limit to the route's; a
// Content-Length over it is the error body_limit (then refusal_of: 413).
boost::beast::error_code after_header(RequestParser& parser, const ServerOptions& options);
// A request whose header shows this server does not serve it: another HTTP
// version (505), a target too long (414), header fields too large (431).
std::optional<Refusal> refusal_of(const BeastRequest& in);
// A read that failed: what to answer before closing, or nullopt to close
// without an answer (the peer went away, idled out, or closed between
// requests). `unread` is what the parser left in the buffer.
std::optional<Refusal> refusal_of(boost::beast::error_code ec, std::string_view unread);
// A peer that goes away or idles out is ordinary; anything else on a
// connection (a malformed request, a failing socket) deserves a warning.
bool is_ordinary_disconnect(boost::beast::error_code ec);

// Takes the body rather than copy it: an upload's may be tens of megabytes.
// Header names are lower-cased, the path and query percent-decoded, and a
// client's X-Request-Id kept only when it is short and plain (else one is
// generated).
Request to_request(BeastRequest& in, const std::string& remote_ip);

// The first request in `bytes`, read as a connection would deliver them,
// `chunk` bytes at a time (at least 1), with the server's limits.
struct ReadOutcome {
    // Read whole and not refused: for the handler.
    std::optional<Request> request;
    // Answered by the server itself; `request` then holds nothing, and
    // `refused` what was read of it (for the problem's instance and id).
    std::optional<Refusal> refusal;
    std::optional<Request> refused;
    // Neither: the connection closes without an answer, with this error.
    boost::beast::error_code error;
    // Bytes the request took: where the next pipelined request starts.
    std::size_t consumed = 0;
};
ReadOutcome read_request(std::string_view bytes, const ServerOptions& options,
                         std::size_t chunk = 65536);

}  // namespace cc::http
