// Features over HTTP: the built-in catalogue from the first start, a tenant
// turning modules off and on (every module's commands and reads answer 403
// feature-disabled, append nothing and lose nothing), premium features
// granted by platform administrators only, and toggles racing commands.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <mutex>
#include <thread>

#include "model/description.hpp"
#include "tests/support/backend_test.hpp"
#include "tests/support/eventually.hpp"

namespace cc::e2e {
namespace {

using testing::HttpResponse;

class FeaturesEndToEnd : public testing::BackendTest {
  protected:
    void SetUp() override {
        const auto suffix = unique_suffix();
        tenant = new_tenant("F", "features-" + suffix);
        const auto admin = new_member(tenant, "admin", "admin-" + suffix + "@f.example.org");
        membership = admin.granted;
        admin_token = stack().token_for(UserId(*Uuid::parse(admin.id)));
    }
    HttpResponse as_admin(const std::string& method, const std::string& target,
                          const std::string& body = "") {
        const int port = method == "GET" ? stack().query_port : stack().command_port;
        return testing::http_request(port, method, target, body,
                                     {{"Authorization", "Bearer " + admin_token}});
    }
    HttpResponse set(const std::string& feature, bool on) {
        return as_admin("PUT", tenant + "/features/" + feature,
                        on ? R"({"is_enabled":true})" : R"({"is_enabled":false})");
    }
    std::string tenant, admin_token;
    std::string membership;  // the admin's grant: reads pass it as min_position
};

TEST_P(FeaturesEndToEnd, TheBuiltinFeaturesExistFromTheFirstStart) {
    std::vector<std::string> names;
    EXPECT_TRUE(testing::eventually([&] {
        const auto r = as_admin("GET", "/v1/features?limit=200");
        if (r.status != 200) return false;
        names.clear();
        const auto json = r.json();
        for (const auto& item : json.at("items").as_array())
            names.emplace_back(item.at("name").as_string());
        return names.size() >= model::builtin_features().size();
    }));
    for (const auto& builtin : model::builtin_features())
        EXPECT_NE(std::find(names.begin(), names.end(), builtin.name), names.end()) << builtin.name;
    const auto mine = as_admin("GET", tenant + "/features?min_position=" + membership);
    ASSERT_EQ(mine.status, 200) << mine.body;
    const auto mine_json = mine.json();
    for (const auto& item : mine_json.at("items").as_array()) {
        EXPECT_EQ(item.at("is_enabled"), !item.at("is_premium").as_bool()) << item;
        EXPECT_EQ(item.at("source"), "default");
    }
}

// Every gated module, off then on: its commands and reads answer 403
// feature-disabled and append nothing, and nothing is lost meanwhile.
TEST_P(FeaturesEndToEnd, EachModuleTurnedOffRefusesItsCommandsAndReadsAndComesBackWhole) {
    const auto task = id_of(as_admin("POST", tenant + "/tasks", R"({"title":"Keep me"})"));
    int gated = 0;
    for (const auto* a : model::aggregates()) {
        if (a->feature.empty()) continue;
        ++gated;
        const std::string feature(a->feature),
            collection = tenant + "/" + std::string(a->collection);
        const auto off = set(feature, false);
        ASSERT_TRUE(off.status == 200 || off.status == 201) << feature << ": " << off.body;
        const auto before = stack().log_size();
        const auto refused = as_admin("POST", collection, "{}");
        EXPECT_EQ(refused.status, 403) << feature << ": " << refused.body;
        EXPECT_EQ(refused.json().at("type"), "urn:complexcare:problem:feature-disabled") << feature;
        EXPECT_NE(refused.json().at("detail").as_string().find(feature), std::string::npos);
        EXPECT_EQ(stack().log_size(), before) << feature << ": a refused command appends nothing";
        const auto read = as_admin("GET", collection + "?min_position=" + position_of(off));
        EXPECT_EQ(read.status, 403) << feature << ": " << read.body;
        EXPECT_EQ(read.json().at("type"), "urn:complexcare:problem:feature-disabled") << feature;

        const auto on = set(feature, true);
        ASSERT_EQ(on.status, 200) << feature << ": " << on.body;
        EXPECT_EQ(as_admin("GET", collection + "?min_position=" + position_of(on)).status, 200)
            << feature;
    }
    EXPECT_GE(gated, 4);
    const auto kept = as_admin("GET", tenant + "/tasks/" + task);
    ASSERT_EQ(kept.status, 200) << kept.body;
    EXPECT_EQ(kept.json().at("title"), "Keep me");
    const auto mine = as_admin("GET", tenant + "/features").json();
    for (const auto& item : mine.at("items").as_array()) {
        if (item.at("name") == "tasks") {
            EXPECT_EQ(item.at("source"), "tenant");
            EXPECT_EQ(item.at("is_enabled"), true);
        }
    }
}

TEST_P(FeaturesEndToEnd, PremiumFeaturesAreGrantedByPlatformAdministratorsOnly) {
    const std::string name = "telehealth_" + testing::backend_name(GetParam()) + "_" +
                             std::to_string(::getpid()) + "_" + tenant.substr(12, 8);
    const auto created =
        command("POST", "/v1/features", R"({"name":")" + name + R"(","is_premium":true})");
    ASSERT_EQ(created.status, 201) << created.body;
    const auto by_member =
        as_admin("POST", "/v1/features", R"({"name":"x)" + name + R"(","is_premium":false})");
    EXPECT_EQ(by_member.status, 403) << by_member.body;

    const auto refused = set(name, true);
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(refused.json().at("type"), "urn:complexcare:problem:premium-feature");
    const auto granted = command("PUT", tenant + "/features/" + name, R"({"is_enabled":true})");
    ASSERT_EQ(granted.status, 201) << granted.body;
    const auto mine =
        as_admin("GET", tenant + "/features?limit=200&min_position=" + position_of(granted));
    ASSERT_EQ(mine.status, 200);
    bool seen = false;
    const auto mine_json = mine.json();
    for (const auto& item : mine_json.at("items").as_array()) {
        if (item.at("name").as_string() != name) continue;
        seen = true;
        EXPECT_EQ(item.at("is_enabled"), true);
        EXPECT_EQ(item.at("source"), "tenant");
    }
    EXPECT_TRUE(seen);
    EXPECT_EQ(set("no_such_feature", true).status, 404);

    // Deleted, it is gone with the tenants' choices of it: the projector
    // (as its own database role) removes the rows.
    const auto feature = std::string(created.json().at("id").as_string());
    const auto deleted = command("DELETE", "/v1/features/" + feature);
    ASSERT_EQ(deleted.status, 200) << deleted.body;
    const auto gone =
        as_admin("GET", "/v1/features/" + feature + "?min_position=" + position_of(deleted));
    EXPECT_EQ(gone.status, 404) << gone.body;
    EXPECT_EQ(set(name, false).status, 404) << "a deleted feature is set for no one";
    const auto after = as_admin("GET", tenant + "/features?limit=200").json();
    for (const auto& item : after.at("items").as_array())
        EXPECT_NE(item.at("name").as_string(), name);
    std::string builtin;
    const auto catalogue = as_admin("GET", "/v1/features?limit=200").json();
    for (const auto& item : catalogue.at("items").as_array())
        if (item.at("name") == "appointments") builtin = std::string(item.at("id").as_string());
    const auto kept = command("DELETE", "/v1/features/" + builtin);
    EXPECT_EQ(kept.status, 409) << kept.body;
    EXPECT_EQ(kept.json().at("type"), "urn:complexcare:problem:feature-built-in");
}

// Commands racing toggles: each answer matches the state at its decision.
// A tenant's events share one partition, so offsets order them: every
// accepted command comes after an enable, never inside an off period.
TEST_P(FeaturesEndToEnd, ATogglesRaceWithCommandsLeavesEveryAnswerConsistent) {
    std::mutex mutex;
    std::vector<std::pair<std::int64_t, std::string>> facts;  // (offset, "on" | "off" | "task")
    const auto offset = [](const std::string& position) {
        return std::stoll(position.substr(position.find(':') + 1));
    };
    std::atomic<int> refused{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < 4; ++c) {
        clients.emplace_back([&, c] {
            for (int i = 0; i < 10; ++i) {
                const auto r = as_admin("POST", tenant + "/tasks",
                                        R"({"title":"T)" + std::to_string(c * 10 + i) + "\"}");
                if (r.status == 201) {
                    std::lock_guard lock(mutex);
                    facts.emplace_back(offset(position_of(r)), "task");
                } else {
                    EXPECT_EQ(r.status, 403) << r.body;
                    EXPECT_EQ(r.json().at("type"), "urn:complexcare:problem:feature-disabled");
                    ++refused;
                }
            }
        });
    }
    for (int t = 0; t < 8; ++t) {
        const bool on = t % 2 == 1;
        const auto r = set("tasks", on);
        ASSERT_TRUE(r.status == 200 || r.status == 201) << r.body;
        std::lock_guard lock(mutex);
        facts.emplace_back(offset(position_of(r)), on ? "on" : "off");
    }
    for (auto& client : clients) client.join();
    std::sort(facts.begin(), facts.end());
    bool enabled = true;
    int accepted = 0;
    for (const auto& [at, fact] : facts) {
        if (fact == "task") {
            EXPECT_TRUE(enabled) << "a task was accepted at offset " << at
                                 << " while tasks were off";
            ++accepted;
        } else {
            enabled = fact == "on";
        }
    }
    EXPECT_EQ(accepted + refused, 40);
}

CC_E2E_ON_EVERY_LOG(FeaturesEndToEnd);

}  // namespace
}  // namespace cc::e2e
