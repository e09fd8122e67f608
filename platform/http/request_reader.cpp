#include "platform/http/request_reader.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>

#include "platform/core/uuid.hpp"

namespace cc::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;

// A target longer than this gets 414, header fields together longer than
// this 431; beyond the parser's limit, 431 whatever the cause.
constexpr std::size_t kMaxTarget = 8 * 1024;
constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr std::uint32_t kParserHeaderLimit = 64 * 1024;

// A client-supplied request id is echoed only when it is short and plain, so
// it cannot inject anything into logs or headers.
std::string sanitise_request_id(std::string_view id) {
    if (id.empty() || id.size() > 64) return {};
    for (char c : id) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
            return {};
        }
    }
    return std::string(id);
}

// "GET / HTTP/2.0": a well-formed request line of a version this server
// does not speak (505), unlike "GET /a b HTTP/1.1", which is malformed (400).
bool names_another_version(std::string_view raw) {
    const auto line = raw.substr(0, raw.find("\r\n"));
    const auto first = line.find(' ');
    const auto last = line.rfind(' ');
    if (first == std::string_view::npos || first == last) return false;
    if (line.find(' ', first + 1) != last) return false;
    const auto version = line.substr(last + 1);
    return version.size() == 8 && version.starts_with("HTTP/") &&
           std::isdigit(static_cast<unsigned char>(version[5])) && version[6] == '.' &&
           std::isdigit(static_cast<unsigned char>(version[7]));
}

std::size_t header_bytes(const BeastRequest& in) {
    std::size_t n = 0;
    for (const auto& field : in) n += field.name_string().size() + field.value().size() + 4;
    return n;
}

}  // namespace

bool is_ordinary_disconnect(beast::error_code ec) {
    return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
           ec == beast::error::timeout || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::operation_aborted;
}

void prepare(RequestParser& parser, const ServerOptions& options) {
    parser.body_limit(std::max(options.body_limit, options.largest_body_limit));
    parser.header_limit(kParserHeaderLimit);
}

beast::error_code after_header(RequestParser& parser, const ServerOptions& options) {
    const auto& header = parser.get();
    const std::size_t limit = options.body_limit_for
                                  ? options.body_limit_for(header.method_string(), header.target())
                                  : options.body_limit;
    if (const auto length = parser.content_length(); length && *length > limit) {
        return bhttp::error::body_limit;
    }
    parser.body_limit(limit);  // what a chunked body may add up to
    return {};
}

std::optional<Refusal> refusal_of(const BeastRequest& in) {
    // Beast reads any HTTP/d.d; this server speaks 1.0 and 1.1.
    if (in.version() != 10 && in.version() != 11) {
        return Refusal{505, "http-version-not-supported", "only HTTP/1.1 and HTTP/1.0 are served"};
    }
    // The parser's own limit is generous, so that a long target can be told
    // from many headers.
    if (in.target().size() > kMaxTarget) {
        return Refusal{414, "uri-too-long", "the request target is too long"};
    }
    if (header_bytes(in) > kMaxHeaderBytes) {
        return Refusal{431, "headers-too-large", "the request headers are too large"};
    }
    return std::nullopt;
}

std::optional<Refusal> refusal_of(beast::error_code ec, std::string_view unread) {
    if (ec == bhttp::error::body_limit) {
        return Refusal{413, "payload-too-large", "the request body is too large"};
    }
    if (ec == bhttp::error::header_limit) {
        return Refusal{431, "headers-too-large", "the request headers are too large"};
    }
    if (ec == bhttp::error::bad_version && names_another_version(unread)) {
        return Refusal{505, "http-version-not-supported", "only HTTP/1.1 and HTTP/1.0 are served"};
    }
    if (!is_ordinary_disconnect(ec) &&
        ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
        return Refusal{400, "malformed-request", "the request is not valid HTTP/1.1"};
    }
    return std::nullopt;
}

Request to_request(BeastRequest& in, const std::string& remote_ip) {
    Request out;
    out.method = std::string(in.method_string());
    out.target = std::string(in.target());
    out.remote_ip = remote_ip;
    out.body = std::move(in.body());
    for (const auto& field : in) {
        std::string name(field.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    auto url = boost::urls::parse_origin_form(out.target);
    if (url) {
        out.path = url->path();
        for (const auto& param : url->params()) {
            out.query.emplace(param.key, param.has_value ? param.value : std::string());
        }
    } else {
        out.path = out.target.substr(0, out.target.find('?'));
    }
    out.request_id = sanitise_request_id(out.header("x-request-id").value_or(""));
    if (out.request_id.empty()) out.request_id = Uuid::random_v4().to_string();
    return out;
}

namespace {

// Beast's read_some over a connection that delivers `chunk` bytes a read:
// feeds the parser until `done` holds, as http::read_header and http::read do.
class Feed {
  public:
    Feed(std::string_view bytes, std::size_t chunk)
        : rest_(bytes), chunk_(std::max<std::size_t>(chunk, 1)) {}

    template <class Done>
    beast::error_code until(RequestParser& parser, Done done) {
        beast::error_code ec;
        while (!done()) {
            if (!buffer_.empty()) {
                const auto used = parser.put(asio::buffer(buffer_), ec);
                buffer_.erase(0, used);
                consumed_ += used;
                if (!ec) continue;
                if (ec != bhttp::error::need_more) return ec;
                ec = {};
            }
            if (rest_.empty()) {
                // The connection's end: a request cut short, or none at all.
                if (!parser.got_some()) return bhttp::error::end_of_stream;
                parser.put_eof(ec);
                if (ec) return ec;
                continue;
            }
            const auto n = std::min(chunk_, rest_.size());
            buffer_.append(rest_.substr(0, n));
            rest_.remove_prefix(n);
        }
        return ec;
    }
    std::string_view unread() const { return buffer_; }
    std::size_t consumed() const { return consumed_; }

  private:
    std::string_view rest_;
    std::size_t chunk_;
    std::string buffer_;
    std::size_t consumed_ = 0;
};

}  // namespace

ReadOutcome read_request(std::string_view bytes, const ServerOptions& options, std::size_t chunk) {
    RequestParser parser;
    prepare(parser, options);
    Feed feed(bytes, chunk);
    ReadOutcome outcome;
    auto ec = feed.until(parser, [&] { return parser.is_header_done(); });
    if (!ec) {
        // As the server does: refused from the header alone, the body unread.
        if (auto refusal = refusal_of(parser.get())) {
            outcome.consumed = feed.consumed();
            outcome.refusal = refusal;
            outcome.refused = to_request(parser.get(), {});
            return outcome;
        }
        ec = after_header(parser, options);
    }
    if (!ec) {
        parser.eager(true);
        ec = feed.until(parser, [&] { return parser.is_done(); });
    }
    outcome.consumed = feed.consumed();
    if (ec) {
        outcome.error = ec;
        if (ec == bhttp::error::end_of_stream) return outcome;
        outcome.refusal = refusal_of(ec, feed.unread());
        if (outcome.refusal) outcome.refused = to_request(parser.get(), {});
        return outcome;
    }
    outcome.request = to_request(parser.get(), {});
    return outcome;
}

}  // namespace cc::http
