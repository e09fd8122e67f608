#include <boost/json.hpp>

#include "platform/core/text.hpp"
#include "platform/http/message.hpp"

namespace cc::http {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

const char* title_for(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::malformed:
            return "Malformed request";
        case ErrorKind::invalid:
            return "Validation failed";
        case ErrorKind::unauthorized:
            return "Authentication required";
        case ErrorKind::forbidden:
            return "Forbidden";
        case ErrorKind::not_found:
            return "Not found";
        case ErrorKind::conflict:
            return "Conflict";
        case ErrorKind::version_mismatch:
            return "Version mismatch";
        case ErrorKind::precondition_required:
            return "Precondition required";
        case ErrorKind::unsupported_media_type:
            return "Unsupported media type";
        case ErrorKind::rule_violated:
            return "Rule violated";
        case ErrorKind::too_large:
            return "Content too large";
        case ErrorKind::too_many_requests:
            return "Too many requests";
        case ErrorKind::unavailable:
            return "Service unavailable";
        case ErrorKind::internal:
            return "Internal error";
    }
    return "Error";
}

}  // namespace

std::optional<std::string> Request::header(std::string_view lower_case_name) const {
    for (const auto& [name, value] : headers)
        if (name == lower_case_name) return value;
    return std::nullopt;
}

std::optional<std::string> Request::query_param(std::string_view name) const {
    auto it = query.find(std::string(name));
    if (it == query.end()) return std::nullopt;
    return it->second;
}

int status_for(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::malformed:
            return 400;
        case ErrorKind::invalid:
            return 422;
        case ErrorKind::unauthorized:
            return 401;
        case ErrorKind::forbidden:
            return 403;
        case ErrorKind::not_found:
            return 404;
        case ErrorKind::conflict:
            return 409;
        case ErrorKind::version_mismatch:
            return 412;
        case ErrorKind::precondition_required:
            return 428;
        case ErrorKind::unsupported_media_type:
            return 415;
        case ErrorKind::rule_violated:
            return 422;
        case ErrorKind::too_large:
            return 413;
        case ErrorKind::too_many_requests:
            return 429;
        case ErrorKind::unavailable:
            return 503;
        case ErrorKind::internal:
            return 500;
    }
    return 500;
}

std::string problem_type_uri(std::string_view slug) {
    return "urn:complexcare:problem:" + std::string(slug);
}

Response Response::json(int status, const boost::json::value& body) {
    Response r;
    r.status = status;
    r.body = boost::json::serialize(body);
    r.headers.emplace_back("Content-Type", "application/json");
    return r;
}

Response Response::suspend(std::function<void(Resume)> park) {
    Response r;
    r.park = std::move(park);
    return r;
}

Response Response::empty(int status) {
    Response r;
    r.status = status;
    return r;
}

Response Response::stream(int status, std::shared_ptr<BodySource> source) {
    Response response;
    response.status = status;
    response.streamed = std::move(source);
    return response;
}

Request Response::problem_subject(const Request& request) {
    Request subject;
    subject.path = request.path;
    subject.request_id = request.request_id;
    return subject;
}

Response Response::problem(const Error& error, const Request& request, int status_override) {
    const int status = status_override != 0 ? status_override : status_for(error.kind);
    boost::json::object body{
        {"type", problem_type_uri(error.type.empty() ? lower(title_for(error.kind)) : error.type)},
        {"title", title_for(error.kind)},
        {"status", status},
        // Both may repeat what the client sent, which need not be UTF-8.
        {"detail", valid_utf8(error.detail)},
        {"instance", valid_utf8(request.path)},
        {"request_id", request.request_id},
    };
    if (!error.fields.empty()) {
        boost::json::array errors;
        for (const auto& f : error.fields) {
            errors.push_back({{"field", valid_utf8(f.field)},
                              {"code", f.code},
                              {"message", valid_utf8(f.message)}});
        }
        body["errors"] = std::move(errors);
    }
    Response r;
    r.status = status;
    r.body = boost::json::serialize(body);
    r.headers.emplace_back("Content-Type", "application/problem+json");
    if (status == 503 || status == 429) r.headers.emplace_back("Retry-After", "1");
    if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"complexcare\"");
    return r;
}

}  // namespace cc::http
