#include <gtest/gtest.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "platform/http/client.hpp"
#include "platform/http/server.hpp"

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

}  // namespace
}  // namespace cc::http
