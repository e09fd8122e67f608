#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "platform/core/no_blocking.hpp"
#include "platform/http/client.hpp"
#include "platform/http/server.hpp"
#include "platform/observability/metrics.hpp"
#include "tests/support/prometheus.hpp"

namespace cc::http {
namespace {

// A suspended answer may come after its server stopped (a log append that
// outlived stop()'s wait): resuming it then must answer nothing and touch
// nothing freed, and dropping it must close the connection safely. Run
// under AddressSanitizer, a Resume that reached into the destroyed server
// or io_context is reported.
TEST(HttpServer, AResumeAfterTheServerStoppedAnswersNothingAndFreesNothingTwice) {
    std::mutex mutex;
    std::condition_variable parked_signal;
    std::optional<Resume> parked;

    ServerOptions options;
    options.io_threads = 1;
    options.workers = 1;
    options.stop_wait = std::chrono::milliseconds(50);
    auto server = std::make_unique<Server>(options, [&](Request&) {
        return Response::suspend([&](Resume resume) {
            const std::lock_guard lock(mutex);
            parked = std::move(resume);
            parked_signal.notify_all();
        });
    });
    const auto port = server->start();

    std::optional<Result<ClientResponse>> answer;
    std::thread client([&] {
        Client http("http://127.0.0.1:" + std::to_string(port));
        answer = http.send("GET", "/waits", "", {});
    });
    {
        std::unique_lock lock(mutex);
        parked_signal.wait(lock, [&] { return parked.has_value(); });
    }
    server.reset();  // stops: the request is still suspended

    Resume late;
    {
        const std::lock_guard lock(mutex);
        late = std::move(*parked);
        parked.reset();
    }
    late(Response::empty(204));
    late = nullptr;  // the connection goes with the last reference to it
    client.join();

    ASSERT_TRUE(answer.has_value());
    EXPECT_FALSE(answer->ok()) << "a stopped server sent " << (*answer)->status;
}

// What a handler says of the thread it ran on.
std::string thread_kind() {
    return NoBlocking::active() ? "must not block" : "may block";
}

Response text(std::string body) {
    Response response;
    response.status = 200;
    response.body = std::move(body);
    return response;
}

// A server with one I/O thread and one worker, whose inline handler is
// `inline_handler` and whose worker handler answers where it ran.
struct TwoKindsOfThread {
    explicit TwoKindsOfThread(InlineHandler inline_handler, Handler handler = {}) {
        ServerOptions options;
        options.io_threads = 1;
        options.workers = 1;
        if (!handler) {
            handler = [](Request&) { return text("worker, " + thread_kind()); };
        }
        server = std::make_unique<Server>(options, std::move(handler), std::move(inline_handler));
        port = server->start();
    }
    ClientResponse get(const std::string& path) const {
        Client http("http://127.0.0.1:" + std::to_string(port));
        auto answer = http.send("GET", path, "", {});
        EXPECT_TRUE(answer.ok());
        return answer.ok() ? *answer : ClientResponse{};
    }
    std::unique_ptr<Server> server;
    std::uint16_t port = 0;
};

// The inline handler runs on the I/O thread, inside a NoBlocking scope;
// when something in it declines to block, what it answered is dropped and
// the request is handled by a worker, where blocking is allowed.
TEST(HttpServer, TheInlineHandlerMustNotBlockAndWhatItDeclinesGoesToAWorker) {
    std::atomic<int> declined_tries = 0;
    TwoKindsOfThread served([&](Request& request) -> std::optional<Response> {
        if (request.path == "/declines") {
            ++declined_tries;
            NoBlocking::decline();
            return text("dropped");
        }
        return text("io thread, " + thread_kind());
    });
    const auto tried = [](const std::string& outcome) {
        return testing::metric_sample(obs::render_metrics(), "http_requests_tried_inline_total",
                                      {"outcome=\"" + outcome + "\""})
            .value_or(0);
    };
    const double answered_before = tried("answered");
    const double declined_before = tried("declined");
    const auto here = served.get("/here");
    EXPECT_EQ(here.status, 200);
    EXPECT_EQ(here.body, "io thread, must not block");
    const auto declined = served.get("/declines");
    EXPECT_EQ(declined.status, 200);
    EXPECT_EQ(declined.body, "worker, may block");
    EXPECT_EQ(declined_tries.load(), 1);
    EXPECT_EQ(tried("answered"), answered_before + 1);
    EXPECT_EQ(tried("declined"), declined_before + 1);
}

// A suspended answer given on the I/O thread is parked there; when its
// park function declines to block (keeping no Resume), the request is
// handled again on a worker, whose park function answers it, once.
TEST(HttpServer, ASuspensionThatDeclinesToBlockIsTakenUpByAWorker) {
    const auto suspends = [](Request&) {
        return Response::suspend([](Resume resume) {
            if (NoBlocking::active()) return NoBlocking::decline();
            resume(text("parked by a worker"));
        });
    };
    const auto suspended = [] {
        return testing::metric_sample(obs::render_metrics(), "http_requests_suspended")
            .value_or(-1);
    };
    TwoKindsOfThread served([&](Request& request) { return suspends(request); }, suspends);
    const double before = suspended();
    const auto answer = served.get("/suspends");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body, "parked by a worker");
    EXPECT_EQ(suspended(), before) << "the declined suspension is not counted as waiting";

    // One that parks on the I/O thread is resumed from elsewhere, as usual.
    std::mutex mutex;
    std::optional<Resume> kept;
    std::condition_variable parked;
    TwoKindsOfThread keeps([&](Request&) -> std::optional<Response> {
        return Response::suspend([&](Resume resume) {
            const std::lock_guard lock(mutex);
            kept = std::move(resume);
            parked.notify_all();
        });
    });
    std::thread resumer([&] {
        std::unique_lock lock(mutex);
        parked.wait(lock, [&] { return kept.has_value(); });
        (*kept)(text("resumed"));
    });
    const auto resumed = keeps.get("/parks");
    resumer.join();
    EXPECT_EQ(resumed.body, "resumed");
}

}  // namespace
}  // namespace cc::http
