#pragma once
// Makes access facts durable in batches (group commit): the facts of the
// requests that arrive while an append is under way go together in the
// next one, so a busy service pays one append for many reads. Each fact's
// `done` runs once its append has succeeded or failed, on the recorder's
// thread; no request thread waits meanwhile (the request is suspended).
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "events/access.hpp"
#include "platform/eventlog/event_log.hpp"

namespace cc::query {

class AccessRecorder {
  public:
    using Done = std::function<void(Status)>;
    using OpenWriter = std::function<std::unique_ptr<eventlog::LogWriter>()>;

    // `open` is called on the recorder's thread, again after a failure to
    // open (the stream may be unreachable at start-up: reads then get 503
    // until it is back, instead of the service not starting).
    explicit AccessRecorder(OpenWriter open, std::size_t most_per_append = 1024);
    ~AccessRecorder();
    AccessRecorder(const AccessRecorder&) = delete;
    AccessRecorder& operator=(const AccessRecorder&) = delete;

    void record(const events::access::Fact& fact, Done done);
    // Fails what waits and whatever comes later; joins the thread.
    void stop();

  private:
    struct Pending {
        eventlog::OutgoingRecord record;
        Done done;
    };
    void run();
    Status append(const std::vector<Pending>& batch);

    OpenWriter open_;
    std::size_t most_per_append_;
    std::unique_ptr<eventlog::LogWriter> writer_;  // the recorder thread's alone

    std::mutex mutex_;
    std::condition_variable arrived_;
    std::deque<Pending> pending_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace cc::query
