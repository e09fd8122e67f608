#include "platform/http/client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cctype>
#include <chrono>

namespace cc::http {

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct Client::Connection {
    asio::io_context io;
    beast::tcp_stream stream{io};
    beast::flat_buffer buffer;
};

Client::Client(std::string base_url) {
    constexpr std::string_view scheme = "http://";
    if (base_url.rfind(scheme, 0) != 0) return;
    auto authority = base_url.substr(scheme.size());
    if (const auto slash = authority.find('/'); slash != std::string::npos) {
        if (authority.find_first_not_of('/', slash) != std::string::npos) return;  // a path
        authority.resize(slash);
    }
    const auto colon = authority.rfind(':');
    host_ = authority.substr(0, colon);
    port_ = colon == std::string::npos ? "80" : authority.substr(colon + 1);
    valid_url_ = !host_.empty() && !port_.empty();
}

Client::~Client() = default;

Result<ClientResponse> Client::send(const std::string& method, const std::string& target,
                                    const std::string& body,
                                    const std::map<std::string, std::string>& headers) {
    if (!valid_url_) {
        return Error::make(ErrorKind::invalid, "bad-url", "the URL must be http://host[:port]");
    }
    beast::http::request<beast::http::string_body> request{beast::http::string_to_verb(method),
                                                           target, 11};
    request.set(beast::http::field::host, host_);
    for (const auto& [name, value] : headers) request.set(name, value);
    if (!body.empty() && request.find(beast::http::field::content_type) == request.end())
        request.set(beast::http::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
    request.keep_alive(true);

    // A kept-alive connection the server has since closed fails on first
    // use: one fresh connection is then tried before giving up.
    std::string failure;
    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool fresh = connection_ == nullptr;
        try {
            if (fresh) {
                auto connection = std::make_unique<Connection>();
                tcp::resolver resolver(connection->io);
                connection->stream.expires_after(std::chrono::seconds(30));
                connection->stream.connect(resolver.resolve(host_, port_));
                connection_ = std::move(connection);
            }
            connection_->stream.expires_after(std::chrono::seconds(60));
            beast::http::write(connection_->stream, request);
            beast::http::response<beast::http::string_body> response;
            beast::http::read(connection_->stream, connection_->buffer, response);
            ClientResponse out;
            out.status = static_cast<int>(response.result_int());
            for (const auto& field : response) {
                std::string name(field.name_string());
                for (auto& c : name)
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                out.headers[name] = std::string(field.value());
            }
            out.body = std::move(response.body());
            if (!response.keep_alive()) connection_.reset();
            return out;
        } catch (const std::exception& e) {
            connection_.reset();
            failure = e.what();
            if (fresh) break;
        }
    }
    return Error::make(ErrorKind::unavailable, "unreachable", host_ + ":" + port_ + ": " + failure);
}

}  // namespace cc::http
