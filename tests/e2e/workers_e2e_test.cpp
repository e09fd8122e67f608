// Handlers run on a worker pool, off the I/O threads: with every worker held
// by a blocking request and another queued behind them, /healthz and
// /metrics still answer. The workers are held deterministically, by
// read-your-writes waits for a position that only the test's own next
// command creates, and released by that command. A SIGTERM meanwhile must
// still let them be answered.
//
// One blocked request more than there are workers keeps the check honest:
// were /metrics served by a worker, it would count itself in flight and
// could seem to show every worker busy, but the request queued behind the
// busy ones would take the worker it frees, and /healthz would wait.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "platform/eventlog/event_log.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/process.hpp"
#include "tests/support/stack.hpp"

namespace cc::e2e {
namespace {

using testing::http_request;
using testing::HttpResponse;

// The value of an unlabelled gauge in Prometheus text, or -1 when absent.
double metric_value(const std::string& text, const std::string& name) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
    }
    return -1;
}

class HttpWorkers : public ::testing::Test {
  protected:
    static constexpr int kWorkers = 2;

    static void TearDownTestSuite() { testing::stacks().clear(); }

    void SetUp() override {
        // A query service of its own: few workers, and a consistency bound
        // far beyond the test, so only release() ends the waits.
        port = testing::free_port();
        query = stack().start("query-service/query-service", port,
                              {{"CC_HTTP_WORKERS", std::to_string(kWorkers)},
                               {"CC_CONSISTENCY_TIMEOUT_MS", "120000"}});
        static int tenants = 0;
        const std::string slug = "busy-workers-" + std::to_string(++tenants);
        auto created = http_request(stack().command_port, "POST", "/v1/tenants",
                                    R"({"name":"Busy","slug":")" + slug + "\"}", admin());
        ASSERT_EQ(created.status, 201) << created.body;
        tenant = "/v1/tenants/" + std::string(created.json().at("id").as_string());
        const auto position =
            eventlog::Position::parse(std::string(created.json().at("position").as_string()));
        ASSERT_TRUE(position);
        ASSERT_EQ(http_request(port, "GET", tenant + "?min_position=" + position->to_string(), "",
                               admin())
                      .status,
                  200);
        // Nothing else writes to the log during these tests, so the tenant's
        // next event is the first to reach this position of its partition.
        next = eventlog::Position{position->partition, position->offset + 1};
    }

    static testing::Stack& stack() { return testing::stack_for(eventlog::Backend::postgres); }
    static std::map<std::string, std::string> admin() {
        return {{"Authorization", "Bearer " + stack().admin_token}};
    }

    // `count` requests that hold a worker each until release().
    void block(int count) {
        statuses.assign(static_cast<std::size_t>(count), 0);
        for (int i = 0; i < count; ++i) {
            blocked.emplace_back([this, i] {
                try {
                    statuses[static_cast<std::size_t>(i)] =
                        http_request(port, "GET", tenant + "?min_position=" + next.to_string(), "",
                                     admin())
                            .status;
                } catch (const std::exception&) {
                    statuses[static_cast<std::size_t>(i)] = -1;  // no answer at all
                }
                ++answered;
            });
        }
    }
    // The tenant's next event is the position the blocked requests wait for.
    void release() {
        auto released = http_request(
            stack().command_port, "PATCH", tenant, R"({"name":"Released"})",
            {{"Authorization", "Bearer " + stack().admin_token}, {"If-Match", "\"1\""}});
        EXPECT_EQ(released.status, 200) << released.body;
        EXPECT_EQ(std::string(released.json().at("position").as_string()), next.to_string());
        for (auto& t : blocked) t.join();
        blocked.clear();
    }
    void TearDown() override {
        if (!blocked.empty()) release();
    }

    int port = 0;
    std::unique_ptr<testing::Process> query;
    std::string tenant;
    eventlog::Position next;
    std::vector<int> statuses;
    std::atomic<int> answered{0};
    std::vector<std::thread> blocked;
};

TEST_F(HttpWorkers, HealthAndMetricsAnswerWhileEveryWorkerIsBusy) {
    constexpr int kBlocked = kWorkers + 1;
    block(kBlocked);
    const auto saturated = [](const std::string& metrics) {
        return metric_value(metrics, "http_requests_in_flight") == kWorkers &&
               metric_value(metrics, "http_requests_queued") == kBlocked - kWorkers;
    };
    const bool all_busy =
        testing::eventually([&] { return saturated(http_request(port, "GET", "/metrics").body); });
    EXPECT_TRUE(all_busy) << "the blocked requests never occupied every worker";
    if (all_busy) {
        EXPECT_EQ(http_request(port, "GET", "/healthz").status, 200);
        auto metrics = http_request(port, "GET", "/metrics");
        EXPECT_EQ(metrics.status, 200);
        EXPECT_TRUE(saturated(metrics.body)) << "rendered while every worker was still busy:\n"
                                             << metrics.body;
        EXPECT_EQ(answered.load(), 0) << "the blocked requests are still waiting";
    }
    release();
    for (const int status : statuses) EXPECT_EQ(status, 200);
    EXPECT_EQ(query->terminate(), 0);
}

TEST_F(HttpWorkers, StopLetsTheRequestsInFlightFinish) {
    block(kWorkers);
    ASSERT_TRUE(testing::eventually([&] {
        return metric_value(http_request(port, "GET", "/metrics").body,
                            "http_requests_in_flight") == kWorkers;
    }));
    ::kill(query->pid(), SIGTERM);
    // Stopping begins with closing the listening socket.
    EXPECT_TRUE(testing::eventually([&] {
        try {
            http_request(port, "GET", "/healthz");
            return false;
        } catch (const std::exception&) {
            return true;
        }
    }));
    EXPECT_EQ(answered.load(), 0);
    release();
    for (const int status : statuses) EXPECT_EQ(status, 200) << "answered during the stop";
    EXPECT_EQ(query->terminate(), 0) << "a clean exit once they were answered";
}

}  // namespace
}  // namespace cc::e2e
