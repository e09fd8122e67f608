// The projector down (killed, as a crash): the command service goes on
// accepting commands, since its answers wait only for the log; a read that
// asks for such a command's position answers 503 with Retry-After, since
// the read model cannot reach it yet; and once a projector runs again the
// same read answers 200 with the data.
#include <gtest/gtest.h>

#include <future>

#include "tests/support/backend_test.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/prometheus.hpp"

namespace cc::e2e {
namespace {

class ProjectorDown : public testing::BackendTest {
  protected:
    void TearDown() override {
        // The stack is shared by the binary's other tests: never leave it
        // without its projector, whatever this test's outcome.
        if (!stack().projector || !stack().projector->running()) restart_projector();
    }
    void restart_projector() {
        stack().projector = stack().start("projector/projector", stack().projector_port);
    }
};

TEST_P(ProjectorDown, CommandsAreAcceptedAndReadsOfTheirPositions503UntilItIsBack) {
    const auto tenant = new_tenant("Projector Down", "projector-down-" + unique_suffix());
    // The tenant's admin is made (and projected) now, while the projector runs.
    ASSERT_TRUE(stack().tenant_admin(tenant.substr(std::string("/v1/tenants/").size())));

    stack().projector->kill_hard();
    const auto mary =
        command("POST", tenant + "/patients", R"({"first_name":"Mary","last_name":"Seacole"})");
    ASSERT_EQ(mary.status, 201) << "accepted with the projector down: " << mary.body;
    const auto florence = command("POST", tenant + "/patients",
                                  R"({"first_name":"Florence","last_name":"Nightingale"})");
    ASSERT_EQ(florence.status, 201) << florence.body;
    const auto id = id_of(mary);
    const auto read = tenant + "/patients/" + id + "?min_position=" + position_of(mary);

    const auto lagging = query(read);
    EXPECT_EQ(lagging.status, 503) << lagging.body;
    EXPECT_EQ(lagging.header("content-type"), "application/problem+json");
    EXPECT_EQ(lagging.header("retry-after"), "1");
    EXPECT_EQ(lagging.json().at("type").as_string(), "urn:complexcare:problem:projection-lagging");
    EXPECT_EQ(
        query(tenant + "/patients/" + id_of(florence) + "?min_position=" + position_of(florence))
            .status,
        503);
    // Without a position to wait for, a read answers from what is projected.
    EXPECT_EQ(query(tenant + "/patients/" + id).status, 404);

    restart_projector();
    ASSERT_TRUE(projected(tenant + "/patients/" + id, position_of(mary)));
    const auto answered = query(read);
    ASSERT_EQ(answered.status, 200) << answered.body;
    EXPECT_EQ(answered.json().at("last_name").as_string(), "Seacole");
    const auto both = ids(query(tenant + "/patients?min_position=" + position_of(florence)));
    EXPECT_EQ(both.size(), 2u);
}

// A read waiting for its position is answered when the projector notifies
// the checkpoint it moved, not when the query service next reads the
// checkpoints: here that service reads them itself only every ten minutes,
// so without the notice the wait would end 503 at its bound.
TEST_P(ProjectorDown, AWaitingReadIsAnsweredOnTheProjectorsNotice) {
    const auto tenant = new_tenant("Notice", "notice-" + unique_suffix());
    ASSERT_TRUE(stack().tenant_admin(tenant.substr(std::string("/v1/tenants/").size())));
    const int port = testing::free_port();
    auto listening = stack().start(
        "query-service/query-service", port,
        {{"CC_CONSISTENCY_POLL_MS", "600000"}, {"CC_CONSISTENCY_TIMEOUT_MS", "60000"}});
    const auto get = [&](const std::string& target) {
        return testing::http_request(
            port, "GET", target, "",
            {{"Authorization", "Bearer " + stack().token_for_target(target)}});
    };
    const auto waits = [&] {
        return testing::metric_sample(get("/metrics").body, "query_position_waits").value_or(-1);
    };
    // Its watcher has read the checkpoints once (a first wait), so that from
    // now on it knows them by notice alone.
    const auto first =
        command("POST", tenant + "/patients", R"({"first_name":"First","last_name":"Reader"})");
    ASSERT_EQ(
        get(tenant + "/patients/" + id_of(first) + "?min_position=" + position_of(first)).status,
        200);

    stack().projector->freeze();
    const auto mary =
        command("POST", tenant + "/patients", R"({"first_name":"Mary","last_name":"Seacole"})");
    ASSERT_EQ(mary.status, 201) << mary.body;
    auto read = std::async(std::launch::async, [&] {
        return get(tenant + "/patients/" + id_of(mary) + "?min_position=" + position_of(mary));
    });
    const bool waiting = testing::eventually([&] { return waits() == 1; });
    stack().projector->thaw();
    ASSERT_TRUE(waiting) << "the read never waited";
    const auto answered = read.get();
    EXPECT_EQ(answered.status, 200) << answered.body;
    EXPECT_EQ(waits(), 0);
}

CC_E2E_ON_EVERY_LOG(ProjectorDown);

}  // namespace
}  // namespace cc::e2e
