#include "command-service/api.hpp"

#include <charconv>

#include "platform/core/hash.hpp"
#include "platform/core/json.hpp"

namespace cc::command {

Result<json::Body> json_body(const http::Request& request, bool optional) {
    if (optional && request.body.empty()) return json::Body{};
    const auto content_type = request.header("content-type").value_or("application/json");
    if (content_type.rfind("application/json", 0) != 0) {
        return Error::make(ErrorKind::malformed, "unsupported-media-type",
                           "the body must be application/json");
    }
    if (request.body.empty()) {
        return Error::make(ErrorKind::malformed, "malformed-json", "the request has no body");
    }
    return json::parse_body(request.body);
}

Result<std::optional<std::int64_t>> expected_version(const http::Request& request, bool required) {
    auto header = request.header("if-match");
    if (!header) {
        if (required) {
            return Error::make(ErrorKind::precondition_required, "if-match-required",
                               "send If-Match with the version you read, e.g. If-Match: \"3\"");
        }
        return std::optional<std::int64_t>{};
    }
    std::string_view text = *header;
    if (text.rfind("W/", 0) == 0) text.remove_prefix(2);
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
        text = text.substr(1, text.size() - 2);
    }
    std::int64_t version = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
    if (ec != std::errc{} || end != text.data() + text.size() || version < 1) {
        return Error::make(ErrorKind::malformed, "bad-if-match",
                           "If-Match must be a version number such as \"3\"");
    }
    return std::optional<std::int64_t>{version};
}

RequestContext context_of(const http::Request& request) {
    RequestContext context;
    context.caller = request.caller;
    if (!request.remote_ip.empty()) context.request.ip = request.remote_ip;
    if (auto agent = request.header("user-agent"))
        context.request.user_agent = agent->substr(0, 1024);
    context.request.request_id = request.request_id;
    if (auto key = request.header("idempotency-key"); key && !key->empty()) {
        context.request.idempotency_key = key->substr(0, 255);
        context.request.request_hash =
            sha256_hex(request.method + " " + request.path + "\n" + request.body);
    }
    context.correlation_id = Uuid::parse(request.header("x-correlation-id").value_or(""));
    if (!context.correlation_id) context.correlation_id = Uuid::parse(request.request_id);
    return context;
}

http::Response answer(const Result<CommandOutcome>& outcome, const http::Request& request,
                      int success_status) {
    if (!outcome) return http::Response::problem(outcome.error(), request);
    boost::json::object body{
        {"id", outcome->id.to_string()},
        {"version", outcome->version},
        {"position", outcome->position ? boost::json::value(outcome->position->to_string())
                                       : boost::json::value(nullptr)},
    };
    auto response = http::Response::json(success_status, body)
                        .with_header("ETag", "\"" + std::to_string(outcome->version) + "\"");
    if (outcome->replayed) response.with_header("Idempotent-Replayed", "true");
    return response;
}

}  // namespace cc::command
