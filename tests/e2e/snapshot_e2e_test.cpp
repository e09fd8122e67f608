// The command service restarted from a write-model snapshot plus the log's
// tail answers as one that folded the whole log: a SIGTERM writes the
// snapshot, a kill -9 writes none, and the next start loads the snapshot
// and folds only what came after it.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "tests/support/backend_test.hpp"
#include "tests/support/prometheus.hpp"

namespace cc::e2e {
namespace {

class SnapshotEndToEnd : public testing::BackendTest {
  protected:
    std::set<std::string> snapshots() {
        std::set<std::string> names;
        std::error_code error;
        for (const auto& entry :
             std::filesystem::directory_iterator(stack().env.at("CC_SNAPSHOT_DIR"), error)) {
            if (entry.path().extension() == ".snapshot") names.insert(entry.path().string());
        }
        return names;
    }
    // Events the running command service took at start from `source`
    // ("snapshot": the snapshot's position; "log": folded from the log).
    double started_with(const std::string& source) {
        const auto metrics = testing::http_request(stack().command_port, "GET", "/metrics").body;
        return testing::metric_sample(metrics, "command_write_model_start_events",
                                      {"source=\"" + source + "\""})
            .value_or(-1);
    }
    std::string patient(const std::string& tenant, const std::string& nhs, int expected) {
        const auto r =
            command("POST", tenant + "/patients",
                    R"({"first_name":"Snap","last_name":"Shot","nhs_number":")" + nhs + "\"}");
        EXPECT_EQ(r.status, expected) << r.body;
        if (expected == 409) {
            EXPECT_EQ(r.json().at("type").as_string(), "urn:complexcare:problem:nhs-number-taken")
                << r.body;
        }
        return r.status == 201 ? std::string(r.json().at("id").as_string()) : "";
    }
};

TEST_P(SnapshotEndToEnd, RestartFromSnapshotAndTailDecidesAsAFullFold) {
    const auto tenant = new_tenant("Snapshots", "snapshots-" + unique_suffix());
    const auto before = patient(tenant, "943 476 5919", 201);

    // A graceful stop writes a snapshot of everything so far, which the
    // restart loads, folding nothing more.
    EXPECT_EQ(stack().command->terminate(), 0);
    const auto written = snapshots();
    ASSERT_FALSE(written.empty()) << "SIGTERM wrote no snapshot";
    stack().start_command_service();
    const auto position = started_with("snapshot");
    EXPECT_GT(position, 0) << "the restart did not load the snapshot";
    EXPECT_EQ(started_with("log"), 0);

    // The tail: after the snapshot, then a crash, which writes none.
    const auto after = patient(tenant, "401 023 2137", 201);
    stack().command->kill_hard();
    EXPECT_EQ(snapshots(), written);
    stack().start_command_service();
    EXPECT_EQ(started_with("snapshot"), position);
    EXPECT_GE(started_with("log"), 1) << "the tail is folded from the log";

    // Numbers registered before and after the snapshot are both taken.
    patient(tenant, "9434765919", 409);
    patient(tenant, "4010232137", 409);
    // Versions come through too: each patient is at 1.
    for (const auto& id : {before, after}) {
        const auto item = tenant + "/patients/" + id;
        EXPECT_EQ(
            command("PATCH", item, R"({"first_name":"Stale"})", {{"If-Match", "\"0\""}}).status,
            412);
        EXPECT_EQ(
            command("PATCH", item, R"({"first_name":"Fresh"})", {{"If-Match", "\"1\""}}).status,
            200);
    }
}

INSTANTIATE_TEST_SUITE_P(Logs, SnapshotEndToEnd,
                         ::testing::Values(eventlog::Backend::postgres, eventlog::Backend::kafka),
                         [](const auto& param_info) {
                             return testing::backend_name(param_info.param);
                         });

}  // namespace
}  // namespace cc::e2e
