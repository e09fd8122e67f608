#pragma once
// Load for the fault suite: clients posting commands to the command service
// over real HTTP for as long as a fault lasts, as a careful client would:
// every command carries an Idempotency-Key, and a command answered 503 (or
// not answered) is sent again with the same key until it is acknowledged.
// Every answer is recorded with its time, so a test can ask what the
// clients saw while a fault lasted.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "platform/eventlog/event_log.hpp"
#include "tests/support/stack.hpp"

namespace cc::faults {

using Clock = std::chrono::steady_clock;

struct Answer {
    Clock::time_point sent;
    Clock::time_point answered;
    // kNoAnswer when the bound passed first, kRefused when no connection
    // could be made or it closed without an answer.
    int status = 0;
    std::string problem_type;  // the problem+json `type` of a refusal
    std::string content_type;
    std::string method_and_route;

    std::chrono::milliseconds took() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(answered - sent);
    }
    static constexpr int kNoAnswer = -1;
    static constexpr int kRefused = 0;
};

// A command the service acknowledged (2xx): it must be in the log, once,
// and projected.
struct Acknowledged {
    std::string idempotency_key;
    std::string id;
    eventlog::Position position;
};

class CommandLoad {
  public:
    // Makes `clients` tenants, one per client, with their admins (projected,
    // so that the load never waits on a read), before any load is sent.
    // Every request must be answered within `answer_bound`. Each client
    // sends at most `per_client_rate` commands a second (0: one after
    // another), which keeps a long run's log within what the Kafka mock
    // cluster retains (~5 MB a partition).
    CommandLoad(testing::Stack& stack, int clients, std::chrono::milliseconds answer_bound,
                int per_client_rate = 0);
    ~CommandLoad();
    CommandLoad(const CommandLoad&) = delete;
    CommandLoad& operator=(const CommandLoad&) = delete;

    void start();
    // No new commands; a command under way is sent again until it is
    // acknowledged (or refused for good) or `settle` has passed.
    void stop(std::chrono::seconds settle = std::chrono::seconds(60));

    std::size_t acknowledged_count() const;
    std::vector<Acknowledged> acknowledged() const;
    std::vector<Answer> answers() const;
    // Answers with `status` so far, and answers of any kind.
    std::size_t answered(int status) const;
    std::size_t answer_count() const;
    // Commands still unacknowledged once stop() gave up on them.
    std::size_t abandoned() const { return abandoned_.load(); }

    struct Client;  // one client's tenant, patients and sequence

  private:
    void run(Client& client);
    void record(const Answer& answer, const Acknowledged* acknowledged);

    testing::Stack& stack_;
    std::chrono::milliseconds answer_bound_;
    int per_client_rate_;
    std::vector<std::unique_ptr<Client>> clients_;
    std::vector<std::thread> threads_;
    std::atomic<bool> stopping_{false};
    Clock::time_point give_up_at_ = Clock::time_point::max();
    std::atomic<std::size_t> abandoned_{0};
    mutable std::mutex mutex_;
    std::vector<Answer> answers_;
    std::vector<Acknowledged> acknowledged_;
    std::map<int, std::size_t> by_status_;
};

// What the clients saw between `from` and `to` (a fault's window).
struct Window {
    std::size_t answers = 0;
    std::map<int, std::size_t> by_status;
    std::chrono::milliseconds longest{0};
    std::vector<std::string> unexpected;  // a sample of answers outside 2xx and 503
};
Window window(const std::vector<Answer>& answers, Clock::time_point from, Clock::time_point to);

}  // namespace cc::faults
