#include "platform/http/server.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "platform/core/no_blocking.hpp"
#include "platform/http/request_reader.hpp"
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
    prometheus::Gauge& in_flight;
    prometheus::Gauge& queued;
    prometheus::Gauge& suspended;
    // Requests the inline handler took on the I/O thread: answered (or
    // parked) there, or declined to block and handed to a worker.
    prometheus::Counter& inline_answered;
    prometheus::Counter& inline_declined;

    static prometheus::Counter& tried_inline(const std::string& outcome) {
        static auto& family =
            prometheus::BuildCounter()
                .Name("http_requests_tried_inline_total")
                .Help(
                    "Requests taken on an I/O thread by outcome: answered there, or declined "
                    "to block and handed to a worker")
                .Register(obs::metrics_registry());
        return family.Add({{"outcome", outcome}});
    }

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
            obs::register_gauge("http_requests_in_flight",
                                "Requests whose handler is running on a worker thread"),
            obs::register_gauge("http_requests_queued",
                                "Requests read and waiting for a free worker thread"),
            obs::register_gauge("http_requests_suspended",
                                "Requests waiting, without a worker, for something outside the "
                                "service (a position the projector has not reached, a read's "
                                "access record, a command's append)"),
            tried_inline("answered"),
            tried_inline("declined"),
        };
        return metrics;
    }

    void record(const Request& request, const Response& response,
                std::chrono::steady_clock::time_point started) {
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        // Labelled by route pattern, never by path: ids would make a series each.
        const std::string route = request.route.empty() ? "(unmatched)" : request.route;
        const std::string status = std::to_string(response.status);
        requests.Add({{"method", request.method}, {"status", status}}).Increment();
        duration
            .Add({{"method", request.method}, {"route", route}, {"status", status}},
                 prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5})
            .Observe(seconds);
        // The access log: who asked for what and how it ended. Never the
        // path's other ids, a header or a body: they may carry tokens or
        // patient data. Built only when it will be written.
        if (!obs::enabled(obs::Level::info)) return;
        boost::json::object line{{"method", request.method},
                                 {"route", route},
                                 {"status", response.status},
                                 {"ms", seconds * 1000},
                                 {"request_id", request.request_id}};
        if (auto tenant = request.path_params.find("tenant_id");
            tenant != request.path_params.end()) {
            line["tenant_id"] = tenant->second;
        }
        if (request.caller.user != UserId{}) line["user_id"] = request.caller.user.to_string();
        obs::info("request", std::move(line));
    }
};

Response internal_error(const Request& request, const std::exception& e) {
    obs::error("unhandled exception in handler",
               {{"error", e.what()}, {"request_id", request.request_id}});
    return Response::problem(
        Error::make(ErrorKind::internal, "internal-error", "an unexpected error occurred"),
        request);
}

// What a streamed body holds in memory at once, per connection.
constexpr std::size_t kStreamChunk = 64 * 1024;

// RFC 9110 §10.1.1; an HTTP/1.0 client cannot be waiting for a 100.
bool expects_continue(const bhttp::request<bhttp::string_body>& in) {
    if (in.version() < 11) return false;
    const auto it = in.find(bhttp::field::expect);
    return it != in.end() && beast::iequals(it->value(), "100-continue");
}

// What every session shares with the server that owns it.
struct ServerContext : std::enable_shared_from_this<ServerContext> {
    ServerOptions options;
    Handler handler;
    InlineHandler inline_handler;
    ResponseHook every_response;
    asio::io_context io;
    std::optional<asio::thread_pool> workers;
    // Requests read and not yet answered: stop() waits for them.
    std::atomic<int> unanswered{0};
    std::atomic<bool> stopping{false};
    // A suspended request may be resumed after stop() (a log append that
    // outlived its bound): its Resume then answers nothing, and keeps this
    // context (the io_context its connection belongs to) alive until it is
    // dropped, so that late Resume neither posts to nor frees a connection
    // on a destroyed io_context.
    std::mutex resume_gate;
    bool resumable = true;

    void finish(const Request& request, Response& response) const {
        if (every_response) every_response(request, response);
    }
};

// One connection, one request at a time: read, answer (inline or on a
// worker, whose result is posted back to this session's strand), write,
// read the next one. Like Beast's example/advanced/server, but the handler
// never runs on the strand.
class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(tcp::socket socket, ServerContext& server)
        : stream_(std::move(socket)), server_(server) {
        beast::error_code ec;
        const auto endpoint = stream_.socket().remote_endpoint(ec);
        if (!ec) remote_ip_ = endpoint.address().to_string();
    }

    void run() {
        asio::dispatch(stream_.get_executor(),
                       beast::bind_front_handler(&Session::read, shared_from_this()));
    }

  private:
    // The header first: the body's limit depends on the route.
    void read() {
        parser_.emplace();
        prepare(*parser_, server_.options);
        stream_.expires_after(std::chrono::seconds(30));
        bhttp::async_read_header(
            stream_, buffer_, *parser_,
            beast::bind_front_handler(&Session::on_header, shared_from_this()));
    }

    void on_header(beast::error_code ec, std::size_t) {
        if (ec) return on_read_failed(ec);
        // Refused from the header alone: its body is never read (and a
        // client waiting on `Expect: 100-continue` never sends it).
        if (auto refusal = refusal_of(parser_->get())) {
            return refuse({}, *refusal, to_request(parser_->get(), remote_ip_));
        }
        if (ec = after_header(*parser_, server_.options); ec) return on_read_failed(ec);
        if (expects_continue(parser_->get()) && !parser_->is_done()) {
            // The header is accepted: now the client may send the body.
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            return asio::async_write(
                stream_, asio::buffer(kContinue.data(), kContinue.size()),
                [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
                    if (write_ec) return self->on_read_failed(write_ec);
                    self->read_body();
                });
        }
        read_body();
    }

    void read_body() {
        bhttp::async_read(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return on_read_failed(ec);
        const auto started = std::chrono::steady_clock::now();
        auto& in = parser_->get();
        Request request = to_request(in, remote_ip_);
        const unsigned version = in.version();
        const bool keep_alive = in.keep_alive();
        head_ = in.method() == bhttp::verb::head;
        ++server_.unanswered;
        auto asked = std::make_shared<Request>(std::move(request));
        if (server_.inline_handler && answered_here(asked, started, version, keep_alive)) return;
        run_on_worker(asked, tracked_executor(), started, version, keep_alive);
    }

    using TrackedExecutor = decltype(asio::prefer(std::declval<beast::tcp_stream&>().get_executor(),
                                                  asio::execution::outstanding_work.tracked));

    // Taken on the strand, so a worker never touches the stream. It counts
    // as outstanding work: once stop() has closed the acceptor, a request
    // out on a worker (or suspended) may be all the io_context has left,
    // and its threads must not return before the answer is written.
    TrackedExecutor tracked_executor() {
        return asio::prefer(stream_.get_executor(), asio::execution::outstanding_work.tracked);
    }

    // On the I/O thread: whether the inline handler answered the request,
    // or parked it, without blocking. Declined (nothing taken, or something
    // that would have blocked declined under NoBlocking): the request goes
    // to a worker as if never tried, and its handler runs again from the
    // start there.
    bool answered_here(const std::shared_ptr<Request>& request,
                       std::chrono::steady_clock::time_point started, unsigned version,
                       bool keep_alive) {
        const NoBlocking attempt;
        std::optional<Response> response;
        try {
            response = server_.inline_handler(*request);
        } catch (const std::exception& e) {
            response = internal_error(*request, e);
        }
        if (!response) return false;
        auto& metrics = HttpMetrics::get();
        const auto declined = [&] {
            metrics.inline_declined.Increment();
            return false;
        };
        if (attempt.declined()) return declined();
        if (response->suspended()) {
            park(std::move(*response), request, tracked_executor(), started, version, keep_alive);
            if (attempt.declined()) {
                // The park function kept no Resume: nothing will end the suspension.
                metrics.suspended.Decrement();
                return declined();
            }
            metrics.inline_answered.Increment();
            return true;
        }
        metrics.inline_answered.Increment();
        server_.finish(*request, *response);
        metrics.record(*request, *response, started);
        send(std::move(*response), request->request_id, version, keep_alive);
        return true;
    }

    // Runs the handler on a worker; its answer is written from this session's
    // strand. Called on the strand, or by whoever ends a suspension.
    void run_on_worker(std::shared_ptr<Request> request, TrackedExecutor executor,
                       std::chrono::steady_clock::time_point started, unsigned version,
                       bool keep_alive) {
        HttpMetrics::get().queued.Increment();
        asio::post(*server_.workers,
                   [self = shared_from_this(), executor = std::move(executor),
                    request = std::move(request), started, version, keep_alive]() mutable {
                       Response response = self->handle(*request, started);
                       if (response.suspended()) {
                           return self->park(std::move(response), std::move(request),
                                             std::move(executor), started, version, keep_alive);
                       }
                       self->send_from(executor, std::move(response), request->request_id, version,
                                       keep_alive);
                   });
    }

    // The worker is free once this returns; the request waits, holding
    // nothing but its memory, until the handler's park function resumes it.
    void park(Response suspended, std::shared_ptr<Request> request, TrackedExecutor executor,
              std::chrono::steady_clock::time_point started, unsigned version, bool keep_alive) {
        HttpMetrics::get().suspended.Increment();
        // The context is kept alive by, and released after, the session
        // (members are destroyed in reverse order).
        struct Parked {
            std::shared_ptr<ServerContext> server;
            std::shared_ptr<Session> session;
            std::shared_ptr<Request> request;
            TrackedExecutor executor;
        };
        auto parked = std::make_shared<Parked>(
            Parked{server_.shared_from_this(), shared_from_this(), std::move(request), executor});
        Resume resume = [parked, started, version,
                         keep_alive](std::optional<Response> answer) mutable {
            HttpMetrics::get().suspended.Decrement();
            auto& server = *parked->server;
            const std::lock_guard gate(server.resume_gate);
            if (!server.resumable) return;
            auto& session = *parked->session;
            auto& asked = parked->request;
            if (!answer) {
                asked->resumed = true;
                return session.run_on_worker(asked, parked->executor, started, version, keep_alive);
            }
            // The rest on the connection's strand, not on the thread that
            // resumed (a committer with the next batch to append).
            asio::post(parked->executor, [self = parked->session, asked, started, version,
                                          keep_alive, answer = std::move(*answer)]() mutable {
                self->server_.finish(*asked, answer);
                HttpMetrics::get().record(*asked, answer, started);
                self->send(std::move(answer), asked->request_id, version, keep_alive);
            });
        };
        try {
            suspended.park(std::move(resume));
        } catch (const std::exception& e) {
            // The park function never got to keep `resume`: answer here.
            HttpMetrics::get().suspended.Decrement();
            Response response = internal_error(*parked->request, e);
            server_.finish(*parked->request, response);
            HttpMetrics::get().record(*parked->request, response, started);
            send_from(executor, std::move(response), parked->request->request_id, version,
                      keep_alive);
        }
    }

    void send_from(const TrackedExecutor& executor, Response response, std::string request_id,
                   unsigned version, bool keep_alive) {
        asio::post(executor, [self = shared_from_this(), response = std::move(response),
                              request_id = std::move(request_id), version, keep_alive]() mutable {
            self->send(std::move(response), request_id, version, keep_alive);
        });
    }

    // On a worker thread: only the shared server state is touched here.
    Response handle(Request& request, std::chrono::steady_clock::time_point started) const {
        auto& metrics = HttpMetrics::get();
        metrics.queued.Decrement();
        metrics.in_flight.Increment();
        Response response;
        try {
            response = server_.handler(request);
        } catch (const std::exception& e) {
            response = internal_error(request, e);
        }
        metrics.in_flight.Decrement();
        if (response.suspended()) return response;
        server_.finish(request, response);
        metrics.record(request, response, started);
        return response;
    }

    void on_read_failed(beast::error_code ec) {
        if (ec == bhttp::error::end_of_stream) return close();  // closed between requests
        // Whatever header fields were parsed (all of them when the body was
        // refused): the request id ties the log line to what the client
        // saw, the Origin gets the refusal its CORS grant.
        Request request = to_request(parser_->get(), remote_ip_);
        request.body.clear();
        request.body.shrink_to_fit();
        const auto unread =
            std::string_view(static_cast<const char*>(buffer_.data().data()), buffer_.size());
        if (const auto refusal = refusal_of(ec, unread)) {
            return refuse(ec, *refusal, std::move(request));
        }
        // A generated id would name nothing the client ever sees.
        const bool client_id = parser_->get().count("X-Request-Id") != 0;
        log_failure(is_ordinary_disconnect(ec) ? obs::Level::debug : obs::Level::warn,
                    "read failed", ec, client_id ? request.request_id : std::string());
        close();
    }

    // The parser cannot go on after these: answer, then close the connection.
    void refuse(beast::error_code ec, const Refusal& refusal, Request request) {
        log_failure(obs::Level::warn, "request refused", ec, request.request_id);
        Response response =
            Response::problem(Error::make(ErrorKind::malformed, refusal.type, refusal.detail),
                              request, refusal.status);
        server_.finish(request, response);
        ++server_.unanswered;
        head_ = false;
        send(std::move(response), request.request_id, 11, false);
    }

    void send(Response response, const std::string& request_id, unsigned version, bool keep_alive) {
        keep_alive = keep_alive && !server_.stopping.load();
        if (response.streamed && !head_) {
            return send_streamed(std::move(response), request_id, version, keep_alive);
        }
        auto out = std::make_shared<bhttp::response<bhttp::string_body>>(
            static_cast<bhttp::status>(response.status), version);
        set_header(*out, response, request_id, keep_alive);
        if (head_) {
            // The headers GET would send, its Content-Length included, and no body.
            // A body of unknown size has no length to announce, and a
            // chunked HEAD answer would carry a last chunk: neither is sent.
            if (!response.streamed || response.streamed->size() != BodySource::kUnknownSize) {
                out->content_length(response.streamed ? response.streamed->size()
                                                      : response.body.size());
            }
        } else {
            out->body() = std::move(response.body);
            out->prepare_payload();
        }
        response_ = out;
        // A fresh bound for the write: the handler may have taken most of the read's.
        stream_.expires_after(std::chrono::seconds(30));
        bhttp::async_write(stream_, *out,
                           beast::bind_front_handler(&Session::on_write, shared_from_this(),
                                                     out->keep_alive(), request_id));
    }

    template <class Body>
    void set_header(bhttp::response<Body>& out, const Response& response,
                    const std::string& request_id, bool keep_alive) const {
        out.set(bhttp::field::server, server_.options.service_name);
        out.set("X-Request-Id", request_id);
        for (const auto& [name, value] : response.headers) out.set(name, value);
        out.keep_alive(keep_alive);
    }

    // A streamed body goes out a chunk at a time through one buffer: each
    // chunk is read on a worker (a read may block), then written from the
    // strand, then the next is read. Memory stays at one chunk however
    // large the body, and a slow client holds no worker while it reads.
    struct Streaming {
        std::shared_ptr<BodySource> source;
        std::uint64_t remaining = 0;
        bool until_end = false;  // a source of unknown size: chunked, until it reads 0
        std::unique_ptr<char[]> chunk = std::make_unique<char[]>(kStreamChunk);
        bhttp::response<bhttp::buffer_body> message;
        std::optional<bhttp::response_serializer<bhttp::buffer_body>> serializer;
        std::string request_id;
    };

    void send_streamed(Response response, const std::string& request_id, unsigned version,
                       bool keep_alive) {
        streaming_ = std::make_unique<Streaming>();
        auto& s = *streaming_;
        s.source = std::move(response.streamed);
        s.remaining = s.source->size();
        s.until_end = s.remaining == BodySource::kUnknownSize;
        s.request_id = request_id;
        s.message.result(static_cast<bhttp::status>(response.status));
        s.message.version(version);
        set_header(s.message, response, request_id, keep_alive);
        if (s.until_end) {
            s.message.chunked(true);
        } else {
            s.message.content_length(s.remaining);
        }
        s.message.body().data = nullptr;
        s.message.body().more = s.remaining > 0;
        s.serializer.emplace(s.message);
        stream_.expires_after(std::chrono::seconds(30));
        bhttp::async_write_header(
            stream_, *s.serializer,
            beast::bind_front_handler(&Session::on_streamed, shared_from_this()));
    }

    void on_streamed(beast::error_code ec, std::size_t) {
        auto& s = *streaming_;
        // The serializer has written all it was given and wants the next chunk.
        if (ec == bhttp::error::need_buffer) ec = {};
        if (ec) {
            log_failure(is_ordinary_disconnect(ec) ? obs::Level::debug : obs::Level::warn,
                        "write failed", ec, s.request_id);
            return abort_stream();
        }
        if (s.remaining > 0) return pull_chunk();
        if (!s.serializer->is_done()) {
            return bhttp::async_write(
                stream_, *s.serializer,
                beast::bind_front_handler(&Session::on_streamed, shared_from_this()));
        }
        const bool keep_alive = s.message.keep_alive();
        const std::string request_id = std::move(s.request_id);
        streaming_.reset();
        on_write(keep_alive, request_id, {}, 0);
    }

    void pull_chunk() {
        // Nothing on the strand touches the streaming state until the
        // chunk is posted back, so the worker may fill it.
        asio::post(*server_.workers,
                   [self = shared_from_this(),
                    executor = asio::prefer(stream_.get_executor(),
                                            asio::execution::outstanding_work.tracked)]() mutable {
                       auto& s = *self->streaming_;
                       const auto wanted = static_cast<std::size_t>(
                           std::min<std::uint64_t>(s.remaining, kStreamChunk));
                       Result<std::size_t> read = std::size_t{0};
                       try {
                           read = s.source->read({s.chunk.get(), wanted});
                       } catch (const std::exception& e) {
                           read = Error::make(ErrorKind::internal, "internal-error", e.what());
                       }
                       asio::post(executor, [self, read = std::move(read), wanted]() mutable {
                           self->on_chunk(std::move(read), wanted);
                       });
                   });
    }

    void on_chunk(Result<std::size_t> read, std::size_t wanted) {
        auto& s = *streaming_;
        if (s.until_end && read && *read == 0) {
            // The end: the serializer writes the last chunk.
            s.remaining = 0;
            s.message.body().data = nullptr;
            s.message.body().size = 0;
            s.message.body().more = false;
            stream_.expires_after(std::chrono::seconds(30));
            return bhttp::async_write(
                stream_, *s.serializer,
                beast::bind_front_handler(&Session::on_streamed, shared_from_this()));
        }
        if (!read || *read == 0 || *read > wanted) {
            boost::json::object fields{
                {"request_id", s.request_id},
                {"bytes_left", static_cast<std::int64_t>(s.remaining)},
                {"error", !read ? read.error().detail : "the body ended before its length"}};
            obs::error("streamed response aborted", std::move(fields));
            return abort_stream();
        }
        if (!s.until_end) s.remaining -= *read;
        s.message.body().data = s.chunk.get();
        s.message.body().size = *read;
        s.message.body().more = s.remaining > 0;
        stream_.expires_after(std::chrono::seconds(30));
        bhttp::async_write(stream_, *s.serializer,
                           beast::bind_front_handler(&Session::on_streamed, shared_from_this()));
    }

    // The answer cannot be completed: the connection goes, so the client
    // sees fewer bytes than the Content-Length it was promised.
    void abort_stream() {
        --server_.unanswered;
        streaming_.reset();
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.socket().close(ec);
    }

    void on_write(bool keep_alive, const std::string& request_id, beast::error_code ec,
                  std::size_t) {
        --server_.unanswered;
        response_.reset();
        if (ec) {
            log_failure(is_ordinary_disconnect(ec) ? obs::Level::debug : obs::Level::warn,
                        "write failed", ec, request_id);
            return close();
        }
        if (!keep_alive) return close();
        read();
    }

    void close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    // Never the body or the headers: they may carry tokens and patient data.
    void log_failure(obs::Level level, std::string_view what, beast::error_code ec,
                     const std::string& request_id) const {
        boost::json::object fields{{"remote_ip", remote_ip_}, {"error", ec.message()}};
        if (!request_id.empty()) fields["request_id"] = request_id;
        obs::log(level, what, std::move(fields));
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::shared_ptr<void> response_;
    std::unique_ptr<Streaming> streaming_;
    bool head_ = false;  // the request being answered is a HEAD
    ServerContext& server_;
    std::string remote_ip_;
};

}  // namespace

struct Server::Impl : ServerContext {
    // On a strand of its own: stop() closes it from another thread, and an
    // accept completing concurrently with the close would see it still open
    // and accept again on a dead descriptor.
    tcp::acceptor acceptor{asio::make_strand(io)};
    std::vector<std::thread> io_threads;

    void accept() {
        acceptor.async_accept(asio::make_strand(io),
                              [this](beast::error_code ec, tcp::socket socket) {
                                  if (ec) {
                                      if (!acceptor.is_open()) return;
                                      obs::warn("accept failed", {{"error", ec.message()}});
                                  } else {
                                      std::make_shared<Session>(std::move(socket), *this)->run();
                                  }
                                  accept();
                              });
    }
};

Server::Server(ServerOptions options, Handler handler, InlineHandler inline_handler,
               ResponseHook every_response)
    : impl_(std::make_shared<Impl>()) {
    impl_->every_response = std::move(every_response);
    impl_->options = std::move(options);
    impl_->handler = std::move(handler);
    impl_->inline_handler = std::move(inline_handler);
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
    impl_->workers.emplace(static_cast<std::size_t>(std::max(1, impl_->options.workers)));
    impl_->accept();
    for (int i = 0; i < std::max(1, impl_->options.io_threads); ++i) {
        impl_->io_threads.emplace_back([this] { impl_->io.run(); });
    }
    return port;
}

void Server::stop() {
    if (!impl_ || impl_->io_threads.empty()) return;
    impl_->stopping = true;
    asio::post(impl_->acceptor.get_executor(), [this] {
        beast::error_code ec;
        impl_->acceptor.close(ec);
    });
    // Let in-flight requests finish, but never wait forever for a stuck one.
    const auto deadline = std::chrono::steady_clock::now() + impl_->options.stop_wait;
    while (impl_->unanswered.load() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    {
        const std::lock_guard gate(impl_->resume_gate);
        impl_->resumable = false;
    }
    impl_->io.stop();
    for (auto& t : impl_->io_threads) t.join();
    impl_->io_threads.clear();
    // Queued handlers are dropped; a running one is waited for, since a
    // thread cannot be abandoned safely.
    impl_->workers->stop();
    impl_->workers->join();
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
