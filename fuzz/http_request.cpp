// The HTTP request path: bytes from a connection through Beast's parser
// as the server sets it up (limits, the route's body limit, refusals),
// to_request (percent-decoding, the query, the request id), the router, and
// what handlers read from headers: CORS, the body's media type and JSON,
// If-Match, If-None-Match, Range and an upload's multipart body.
//
// An input's first byte sets how many bytes each read delivers (1 to 64,
// or all at once), the rest is what the client sent; up to four pipelined
// requests are read, as one connection would.
//
// Properties: a request is served or refused with a 4xx/5xx problem+json
// naming its type, never a crash; every answer's headers are free of CR,
// LF and NUL (no response splitting) and its request id is plain; a body
// is taken as JSON only when it says application/json and names no key
// twice; If-Match yields only a version the header names as a strong tag;
// a satisfiable Range lies within the representation.
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "command-service/api.hpp"
#include "command-service/documents/upload.hpp"
#include "fuzz/support.hpp"
#include "platform/core/json.hpp"
#include "platform/http/conditional.hpp"
#include "platform/http/cors.hpp"
#include "platform/http/range.hpp"
#include "platform/http/request_reader.hpp"
#include "platform/http/router.hpp"

namespace cc::fuzz {
namespace {

using http::Request;
using http::Response;

constexpr std::uint64_t kContentSize = 1000;
constexpr std::size_t kUploadLimit = 2 << 20;

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

void check_json_body(const Request& request, const Result<json::Body>& body) {
    if (!body) return;
    if (request.body.empty()) return;  // optional and absent
    require(!has_duplicate_key(request.body).value_or(false),
            "a body naming a key twice is refused", request.body);
    auto type = lower(request.header("content-type").value_or(""));
    type.erase(0, type.find_first_not_of(" \t"));
    require(type.starts_with("application/json") &&
                (type.size() == 16 || type[16] == ';' || type[16] == ' ' || type[16] == '\t'),
            "a body is read as JSON only when it says application/json", type);
}

void check_if_match(const Request& request) {
    const auto version = command::expected_version(request, false);
    if (!version || !*version) return;
    const auto header = request.header("if-match").value_or("");
    const auto tag = "\"" + std::to_string(**version) + "\"";
    bool strong = false;
    for (auto at = header.find(tag); at != std::string::npos; at = header.find(tag, at + 1)) {
        strong = strong || at < 2 || header.substr(at - 2, 2) != "W/";
    }
    require(strong, "If-Match yields a version it names as a strong tag", header);
}

Response command(Request& request) {
    check_if_match(request);
    const auto body = command::json_body(request, request.method == "POST");
    check_json_body(request, body);
    if (!body) return Response::problem(body.error(), request);
    return Response::json(201, body->fields);
}

Response read(Request& request) {
    const auto none_match = request.header("if-none-match");
    if (none_match) {
        const auto condition = http::parse_tag_list(*none_match);
        if (!condition) {
            return Response::problem(
                Error::make(ErrorKind::malformed, "bad-if-none-match", "not entity tags"), request);
        }
        if (http::none_match_fails(*condition, {false, "7"})) return Response::empty(304);
    }
    return Response::json(200, {{"id", request.param("patient_id")}}).with_header("ETag", "\"7\"");
}

Response content(Request& request) {
    const auto range = http::parse_range(request.header("range").value_or(""), kContentSize);
    if (range.kind == http::RangeKind::satisfiable) {
        require(range.range.first <= range.range.last && range.range.last < kContentSize,
                "a satisfiable range lies within the representation");
        return Response::empty(206).with_header("Content-Range",
                                                http::content_range(range.range, kContentSize));
    }
    if (range.kind == http::RangeKind::unsatisfiable) {
        // As query-service/documents/content.cpp answers it.
        return Response::problem(Error::make(ErrorKind::malformed, "range-not-satisfiable",
                                             "the range is outside the file"),
                                 request, 416)
            .with_header("Content-Range", "bytes */" + std::to_string(kContentSize));
    }
    return Response::empty(200);
}

Response upload(Request& request) {
    const auto body = std::string_view(request.body);
    const auto read =
        documents::read_upload(request.header("content-type").value_or(""), body, request.query);
    if (!read) return Response::problem(read.error(), request);
    require(read->bytes.data() >= body.data() &&
                read->bytes.data() + read->bytes.size() <= body.data() + body.size(),
            "an upload's file is a part of the request body");
    const auto file = documents::examine(*read, kUploadLimit);
    if (!file) return Response::problem(file.error(), request);
    return Response::json(201, {{"key", file->key}});
}

struct Service {
    http::ServerOptions options;
    http::Router router;
    http::CorsPolicy cors = http::CorsPolicy::parse("https://app.example.org");

    Service() {
        options.body_limit = 64 * 1024;
        options.largest_body_limit = kUploadLimit;
        options.body_limit_for = [this](std::string_view method, std::string_view target) {
            const auto path = target.substr(0, target.find('?'));
            return method == "POST" && path.ends_with("/documents") ? kUploadLimit
                                                                    : options.body_limit;
        };
        const std::string patients = "/v1/tenants/{tenant_id}/patients";
        const std::string patient = patients + "/{patient_id}";
        router.add("GET", "/healthz", [](Request&) { return Response::json(200, {{"ok", true}}); });
        router.add("POST", patients, command);
        router.add("PATCH", patient, command);
        router.add("GET", patient, read);
        router.add("POST", patient + "/{action}", command);
        router.add("POST", "/v1/tenants/{tenant_id}/documents", upload);
        router.add("GET", "/v1/tenants/{tenant_id}/documents/{document_id}/content", content);
    }

    // What serve_until_signal puts in front of the handler and after it.
    Response answer(Request& request) const {
        const auto origin = request.header("origin");
        if (http::CorsPolicy::is_preflight(request.method, origin,
                                           request.header("access-control-request-method"))) {
            auto response = Response::empty(204);
            response.headers = cors.preflight_headers(origin, router.methods_for(request.path));
            return response;
        }
        auto response = router.dispatch(request);
        http::merge_headers(response.headers, cors.response_headers(origin));
        return response;
    }
};

const Service& service() {
    static const Service instance;
    return instance;
}

void check_answer(const Request& request, const Response& response) {
    require(response.status >= 200 && response.status < 600, "an answer has an HTTP status");
    for (const auto& [name, value] : response.headers) {
        require(name.find_first_of(std::string_view("\r\n\0:", 4)) == std::string::npos &&
                    value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos,
                "answer headers carry no CR, LF or NUL", name + ": " + value);
    }
    require(!request.request_id.empty() && request.request_id.size() <= 64 &&
                std::all_of(request.request_id.begin(), request.request_id.end(),
                            [](char c) {
                                return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
                                       c == '_' || c == '.';
                            }),
            "a request id is short and plain", request.request_id);
    if (response.status < 400) return;
    const auto problem = json::parse_object(response.body);
    require(problem.ok(), "an error answer is JSON", response.body);
    const auto type = json::string_at(*problem, "type").value_or("");
    const auto* status = json::find(*problem, "status");
    require(type.starts_with("urn:complexcare:problem:") && status != nullptr &&
                status->is_int64() && status->as_int64() == response.status,
            "an error answer is a problem naming its type and status", response.body);
}

}  // namespace
}  // namespace cc::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cc;
    using namespace cc::fuzz;
    if (size == 0) return 0;
    const std::size_t chunk = data[0] < 192 ? 1 + data[0] % 64 : 65536;
    std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const auto& s = service();
    for (int n = 0; n < 4 && !bytes.empty(); ++n) {
        auto outcome = http::read_request(bytes, s.options, chunk);
        if (outcome.refusal) {
            require(outcome.refusal->status >= 400 && outcome.refusal->status < 600 &&
                        outcome.refused.has_value(),
                    "a refused request is answered with an error status");
            auto& request = *outcome.refused;
            auto response = http::Response::problem(
                Error::make(ErrorKind::malformed, outcome.refusal->type, outcome.refusal->detail),
                request, outcome.refusal->status);
            http::merge_headers(response.headers,
                                s.cors.response_headers(request.header("origin")));
            check_answer(request, response);
            return 0;
        }
        if (!outcome.request) return 0;  // closed without an answer
        auto& request = *outcome.request;
        check_answer(request, s.answer(request));
        if (outcome.consumed == 0) return 0;
        bytes.remove_prefix(outcome.consumed);
    }
    return 0;
}
