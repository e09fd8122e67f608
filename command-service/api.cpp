#include "command-service/api.hpp"

#include <charconv>

#include "platform/core/hash.hpp"
#include "platform/core/json.hpp"
#include "platform/http/conditional.hpp"

namespace cc::command {

Result<json::Body> json_body(const http::Request& request, bool optional) {
    if (optional && request.body.empty()) return json::Body{};
    // A body is read only as what it says it is (RFC 9110 §8.3): a missing
    // or other Content-Type is refused, however JSON-like the bytes.
    const auto content_type = request.header("content-type");
    const auto media_type = http::parse_media_type(content_type.value_or(""));
    if (!media_type || !http::is_json_media_type(*media_type)) {
        Error error = Error::make(
            ErrorKind::unsupported_media_type, "unsupported-media-type",
            content_type ? "the body must be application/json (optionally charset=utf-8), not " +
                               content_type->substr(0, 100)
                         : "the body must be application/json: send Content-Type");
        error.fields.push_back({"Content-Type", "unsupported", error.detail});
        return error;
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
    const auto tags = http::parse_tag_list(*header);
    if (!tags) {
        return Error::make(ErrorKind::malformed, "bad-if-match",
                           "If-Match must be * or entity tags such as \"3\"");
    }
    // Strong comparison (RFC 9110 §13.1.1): a weak tag never matches, and a
    // tag that is no version of ours matches nothing. "*" asks that the item
    // exist, which every step on an item checks anyway.
    if (tags->any) return std::optional<std::int64_t>{};
    std::optional<std::int64_t> matched;
    for (const auto& tag : tags->tags) {
        std::int64_t version = 0;
        const auto& text = tag.opaque;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
        // Character for character, as strong comparison is: "06" is not "6".
        if (tag.weak || ec != std::errc{} || end != text.data() + text.size() || version < 1 ||
            std::to_string(version) != text)
            continue;
        if (matched && *matched != version) {
            // One item has one current version: a list of several can only
            // be judged against it, which the decider does with one.
            return Error::make(ErrorKind::malformed, "bad-if-match",
                               "If-Match names more than one version; send the one you read");
        }
        matched = version;
    }
    if (!matched) {
        return Error::make(ErrorKind::version_mismatch, "version-mismatch",
                           "If-Match names no current version (weak tags never match)");
    }
    return matched;
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
