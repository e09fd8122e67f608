// Handlers run on a worker pool, off the I/O threads: with every worker held
// by a blocking request and another queued behind them, /healthz and
// /metrics still answer. The workers are held deterministically, by a
// transaction of the test's own that locks the tenants table, as a slow
// database would hold them, and released by its commit. A SIGTERM
// meanwhile must still let them be answered.
//
// One blocked request more than there are workers keeps the check honest:
// were /metrics served by a worker, it would count itself in flight and
// could seem to show every worker busy, but the request queued behind the
// busy ones would take the worker it frees, and /healthz would wait.
//
// Read-your-writes waits are the opposite: a read for a position the
// projector has not applied yet (the projector is frozen, so nothing moves
// until the test thaws it) holds no worker while it waits.
#include <gtest/gtest.h>
#include <signal.h>

#include <pqxx/pqxx>

#include <atomic>
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "platform/eventlog/event_log.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/process.hpp"
#include "tests/support/prometheus.hpp"
#include "tests/support/stack.hpp"

namespace cc::e2e {
namespace {

using testing::http_request;
using testing::HttpResponse;

// The value of an unlabelled gauge, or -1 when absent.
double metric_value(const std::string& text, const std::string& name) {
    return testing::metric_sample(text, name).value_or(-1);
}

class HttpWorkers : public ::testing::Test {
  protected:
    static constexpr int kWorkers = 2;

    static void TearDownTestSuite() { testing::stacks().clear(); }

    void SetUp() override {
        start_query();
        static int tenants = 0;
        const std::string slug = "busy-workers-" + std::to_string(++tenants);
        auto created = http_request(stack().command_port, "POST", "/v1/tenants",
                                    R"({"name":"Busy","slug":")" + slug + "\"}", admin());
        ASSERT_EQ(created.status, 201) << created.body;
        tenant_id = std::string(created.json().at("id").as_string());
        tenant = "/v1/tenants/" + tenant_id;
        const std::string position(created.json().at("position").as_string());
        ASSERT_EQ(
            http_request(port, "GET", tenant + "?min_position=" + position, "", admin()).status,
            200);
    }

    // A query service of its own: few workers, and a consistency bound far
    // beyond the test, so only the test ends the waits.
    void start_query(const std::map<std::string, std::string>& overrides = {}) {
        std::map<std::string, std::string> env{{"CC_HTTP_WORKERS", std::to_string(kWorkers)},
                                               {"CC_CONSISTENCY_TIMEOUT_MS", "120000"}};
        for (const auto& [name, value] : overrides) env[name] = value;
        query.reset();
        port = testing::free_port();
        query = stack().start("query-service/query-service", port, env);
    }

    static testing::Stack& stack() { return testing::stack_for(eventlog::Backend::postgres); }
    static std::map<std::string, std::string> admin() { return as(stack().admin_token); }
    static std::map<std::string, std::string> as(const std::string& token) {
        return {{"Authorization", "Bearer " + token}};
    }

    // `count` requests for `target` on threads of their own, each recording
    // its answer.
    void send(int count, const std::string& target, const std::string& token) {
        statuses.assign(static_cast<std::size_t>(count), 0);
        for (int i = 0; i < count; ++i) {
            sent.emplace_back([this, i, target, token] {
                try {
                    statuses[static_cast<std::size_t>(i)] =
                        http_request(port, "GET", target, "", as(token)).status;
                } catch (const std::exception&) {
                    statuses[static_cast<std::size_t>(i)] = -1;  // no answer at all
                }
                ++answered;
            });
        }
    }
    void join() {
        for (auto& t : sent) t.join();
        sent.clear();
    }

    // `count` reads of the tenant that hold a worker each until release():
    // a transaction of the test's own locks the table they read.
    void block(int count) {
        locker = std::make_unique<pqxx::connection>(stack().database_url);
        lock = std::make_unique<pqxx::work>(*locker);
        lock->exec("LOCK TABLE tenants IN ACCESS EXCLUSIVE MODE");
        send(count, tenant, stack().admin_token);
    }
    void release() {
        lock->commit();
        lock.reset();
        locker.reset();
        join();
    }

    // The next command's position, applied by no one until thaw: the
    // projector is frozen, and the log has the position.
    std::string unapplied_position() {
        stack().projector->freeze();
        frozen = true;
        const std::string version = std::to_string(++renames);  // the tenant's, before this
        auto renamed = http_request(stack().command_port, "PATCH", tenant,
                                    R"({"name":"Renamed )" + version + "\"}",
                                    {{"Authorization", "Bearer " + stack().admin_token},
                                     {"If-Match", "\"" + version + "\""}});
        EXPECT_EQ(renamed.status, 200) << renamed.body;
        return std::string(renamed.json().at("position").as_string());
    }
    void thaw() {
        if (frozen) stack().projector->thaw();
        frozen = false;
    }

    double metric(const std::string& name) {
        return metric_value(http_request(port, "GET", "/metrics").body, name);
    }

    void TearDown() override {
        thaw();
        if (lock) release();
        join();
    }

    int port = 0;
    std::unique_ptr<testing::Process> query;
    std::string tenant_id, tenant;
    int renames = 0;
    bool frozen = false;
    std::unique_ptr<pqxx::connection> locker;
    std::unique_ptr<pqxx::work> lock;
    std::vector<int> statuses;
    std::atomic<int> answered{0};
    std::vector<std::thread> sent;
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
    ASSERT_TRUE(testing::eventually([&] { return metric("http_requests_in_flight") == kWorkers; }));
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

TEST_F(HttpWorkers, ReadsWaitingForAPositionHoldNoWorker) {
    constexpr int kWaiting = 3 * kWorkers;
    start_query({{"CC_MAX_WAITS_PER_CALLER", "100"}});
    const auto position = unapplied_position();
    send(kWaiting, tenant + "?min_position=" + position, stack().admin_token);
    ASSERT_TRUE(testing::eventually([&] { return metric("http_requests_suspended") == kWaiting; }))
        << "the reads never waited without a worker";
    EXPECT_EQ(metric("http_requests_in_flight"), 0);
    // Every worker is free for the reads that need no wait.
    auto now = http_request(port, "GET", tenant, "", admin());
    EXPECT_EQ(now.status, 200);
    EXPECT_EQ(std::string(now.json().at("name").as_string()), "Busy") << "not applied yet";
    EXPECT_EQ(answered.load(), 0);

    thaw();
    join();
    for (const int status : statuses) EXPECT_EQ(status, 200);
    auto after = http_request(port, "GET", tenant + "?min_position=" + position, "", admin());
    EXPECT_EQ(std::string(after.json().at("name").as_string()), "Renamed 1");
    EXPECT_EQ(metric("http_requests_suspended"), 0);
}

TEST_F(HttpWorkers, APositionTheLogHasNotReachedIsRefusedAtOnce) {
    // The bound is two minutes: a wait would outlast the client's patience.
    const auto last = eventlog::Position::parse(unapplied_position());
    ASSERT_TRUE(last);
    thaw();
    const eventlog::Position beyond{last->partition, last->offset + 1000};
    auto refused =
        http_request(port, "GET", tenant + "?min_position=" + beyond.to_string(), "", admin());
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_EQ(std::string(refused.json().at("type").as_string()),
              "urn:complexcare:problem:position-beyond-log");
    EXPECT_EQ(std::string(refused.json().at("errors").at(0).at("field").as_string()),
              "min_position");

    auto no_partition = http_request(port, "GET", tenant + "?min_position=999:0", "", admin());
    EXPECT_EQ(no_partition.status, 400) << no_partition.body;
    EXPECT_EQ(std::string(no_partition.json().at("type").as_string()),
              "urn:complexcare:problem:unknown-partition");
}

TEST_F(HttpWorkers, ACallerHoldsOnlyAFewWaitsAtATime) {
    start_query({{"CC_MAX_WAITS_PER_CALLER", "2"}});
    const auto colleague = stack().tenant_admin(tenant_id);
    ASSERT_TRUE(colleague);
    const auto position = unapplied_position();
    const auto target = tenant + "?min_position=" + position;
    send(2, target, stack().admin_token);
    ASSERT_TRUE(testing::eventually([&] { return metric("http_requests_suspended") == 2; }));

    auto third = http_request(port, "GET", target, "", admin());
    EXPECT_EQ(third.status, 429) << third.body;
    EXPECT_EQ(std::string(third.json().at("type").as_string()),
              "urn:complexcare:problem:too-many-waits");
    EXPECT_FALSE(third.header("retry-after").empty());
    // Another caller is not held back by the first one's waits.
    std::thread other([&] {
        auto theirs = http_request(port, "GET", target, "", as(stack().token_for(*colleague)));
        EXPECT_EQ(theirs.status, 200) << theirs.body;
    });
    EXPECT_TRUE(testing::eventually([&] { return metric("http_requests_suspended") == 3; }));
    thaw();
    other.join();
    join();
    for (const int status : statuses) EXPECT_EQ(status, 200);
}

TEST_F(HttpWorkers, StopAnswersTheWaitingReads) {
    const auto position = unapplied_position();
    send(1, tenant + "?min_position=" + position, stack().admin_token);
    ASSERT_TRUE(testing::eventually([&] { return metric("http_requests_suspended") == 1; }));
    ::kill(query->pid(), SIGTERM);
    join();
    EXPECT_EQ(statuses[0], 503) << "answered, not dropped, by a stopping service";
    EXPECT_EQ(query->terminate(), 0);
}

}  // namespace
}  // namespace cc::e2e
