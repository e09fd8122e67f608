#include "platform/http/server.hpp"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include <chrono>
#include <csignal>
#include <thread>
#include <vector>

#include "platform/core/uuid.hpp"
#include "platform/observability/logger.hpp"
#include "platform/observability/metrics.hpp"

namespace cc::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct HttpMetrics {
    prometheus::Family<prometheus::Counter>& requests;
    prometheus::Family<prometheus::Histogram>& duration;

    static HttpMetrics& get() {
        static HttpMetrics metrics{
            prometheus::BuildCounter()
                .Name("http_requests_total")
                .Help("HTTP requests by method and status")
                .Register(obs::metrics_registry()),
            prometheus::BuildHistogram()
                .Name("http_request_duration_seconds")
                .Help("HTTP request handling time")
                .Register(obs::metrics_registry()),
        };
        return metrics;
    }
};

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

Request to_request(const bhttp::request<bhttp::string_body>& in, const std::string& remote_ip) {
    Request out;
    out.method = std::string(in.method_string());
    out.target = std::string(in.target());
    out.remote_ip = remote_ip;
    out.body = in.body();
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

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(tcp::socket socket, const Handler& handler, const ServerOptions& options,
            std::atomic<int>& in_flight, const std::atomic<bool>& stopping)
        : stream_(std::move(socket)),
          handler_(handler),
          options_(options),
          in_flight_(in_flight),
          stopping_(stopping) {
        beast::error_code ec;
        const auto endpoint = stream_.socket().remote_endpoint(ec);
        if (!ec) remote_ip_ = endpoint.address().to_string();
    }

    void run() {
        asio::dispatch(stream_.get_executor(),
                       beast::bind_front_handler(&Session::read, shared_from_this()));
    }

  private:
    void read() {
        parser_.emplace();
        parser_->body_limit(options_.body_limit);
        stream_.expires_after(std::chrono::seconds(30));
        bhttp::async_read(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == bhttp::error::end_of_stream) return close();
        if (ec == bhttp::error::body_limit) {
            return respond_error(413, "payload-too-large", "the request body is too large");
        }
        if (ec) return close();
        ++in_flight_;
        const auto started = std::chrono::steady_clock::now();
        const auto& in = parser_->get();
        Request request = to_request(in, remote_ip_);
        Response response;
        try {
            response = handler_(request);
        } catch (const std::exception& e) {
            obs::error("unhandled exception in handler",
                       {{"error", e.what()}, {"request_id", request.request_id}});
            response = Response::problem(
                Error::make(ErrorKind::internal, "internal-error", "an unexpected error occurred"),
                request);
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        auto& metrics = HttpMetrics::get();
        metrics.requests
            .Add({{"method", request.method}, {"status", std::to_string(response.status)}})
            .Increment();
        metrics.duration
            .Add({{"method", request.method}},
                 prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5})
            .Observe(seconds);
        obs::debug("request", {{"method", request.method},
                               {"path", request.path},
                               {"status", response.status},
                               {"request_id", request.request_id},
                               {"ms", seconds * 1000}});
        send(std::move(response), request.request_id, in.version(), in.keep_alive());
    }

    void respond_error(int status, const char* type, const char* detail) {
        Request request;
        request.request_id = Uuid::random_v4().to_string();
        Response response =
            Response::problem(Error::make(ErrorKind::malformed, type, detail), request, status);
        ++in_flight_;
        send(std::move(response), request.request_id, 11, false);
    }

    void send(Response response, const std::string& request_id, unsigned version, bool keep_alive) {
        auto out = std::make_shared<bhttp::response<bhttp::string_body>>(
            static_cast<bhttp::status>(response.status), version);
        out->set(bhttp::field::server, options_.service_name);
        out->set("X-Request-Id", request_id);
        for (auto& [name, value] : response.headers) out->set(name, value);
        out->body() = std::move(response.body);
        out->keep_alive(keep_alive && !stopping_.load());
        out->prepare_payload();
        response_ = out;
        bhttp::async_write(
            stream_, *out,
            beast::bind_front_handler(&Session::on_write, shared_from_this(), out->keep_alive()));
    }

    void on_write(bool keep_alive, beast::error_code ec, std::size_t) {
        --in_flight_;
        response_.reset();
        if (ec || !keep_alive) return close();
        read();
    }

    void close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::shared_ptr<void> response_;
    const Handler& handler_;
    const ServerOptions& options_;
    std::atomic<int>& in_flight_;
    const std::atomic<bool>& stopping_;
    std::string remote_ip_;
};

}  // namespace

struct Server::Impl {
    ServerOptions options;
    Handler handler;
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::vector<std::thread> threads;
    std::atomic<int> in_flight{0};
    std::atomic<bool> stopping{false};

    void accept() {
        acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec,
                                                            tcp::socket socket) {
            if (ec) {
                if (!acceptor.is_open()) return;
            } else {
                std::make_shared<Session>(std::move(socket), handler, options, in_flight, stopping)
                    ->run();
            }
            accept();
        });
    }
};

Server::Server(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    impl_->handler = std::move(handler);
}

Server::~Server() {
    stop();
}

std::uint16_t Server::start() {
    const tcp::endpoint endpoint(asio::ip::make_address(impl_->options.host), impl_->options.port);
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen(asio::socket_base::max_listen_connections);
    const auto port = impl_->acceptor.local_endpoint().port();
    impl_->accept();
    const int threads = impl_->options.threads < 1 ? 1 : impl_->options.threads;
    for (int i = 0; i < threads; ++i) impl_->threads.emplace_back([this] { impl_->io.run(); });
    return port;
}

void Server::stop() {
    if (!impl_ || impl_->threads.empty()) return;
    impl_->stopping = true;
    asio::post(impl_->io, [this] {
        beast::error_code ec;
        impl_->acceptor.close(ec);
    });
    // Let in-flight requests finish, but never wait forever for a stuck one.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (impl_->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    impl_->io.stop();
    for (auto& t : impl_->threads) t.join();
    impl_->threads.clear();
}

void block_shutdown_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int wait_for_shutdown_signal() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int signal = 0;
    sigwait(&set, &signal);
    return signal;
}

}  // namespace cc::http
