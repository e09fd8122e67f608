// Policies over HTTP: published in versions (a new content needs a new
// policy_version), every version in the history, title and version unique,
// and the policies in force on a day. The label is `policy_version` in JSON
// (column policies.version) beside the entity `version` every read carries.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>

#include "tests/support/backend_test.hpp"
#include "tests/support/openapi.hpp"

namespace cc::e2e {
namespace {

using testing::HttpResponse;

class PoliciesEndToEnd : public testing::BackendTest {
  protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        const auto suffix = std::to_string(::getpid()) + "-" + std::to_string(++n) + "-" +
                            testing::backend_name(GetParam());
        const auto made = command("POST", "/v1/tenants",
                                  R"({"name":"Policies","slug":"policies-)" + suffix + "\"}");
        tenant = "/v1/tenants/" + id_of(made);
    }
    static std::string body(const std::string& title, const std::string& label,
                            const std::string& effective, const std::string& content = "Text") {
        return R"({"title":")" + title + R"(","content":")" + content + R"(","policy_version":")" +
               label + R"(","effective_date":")" + effective + "\"}";
    }
    HttpResponse publish(const std::string& title, const std::string& label,
                         const std::string& effective) {
        last = command("POST", tenant + "/policies", body(title, label, effective));
        return last;
    }
    // The ids of the policies in force on `day`, once the latest command is read.
    std::vector<std::string> in_force(const std::string& day) {
        return ids(
            query(tenant + "/policies?effective_on=" + day + "&min_position=" + position_of(last)));
    }

    std::string tenant;
    HttpResponse last;
};

TEST_P(PoliciesEndToEnd, ContentChangesOnlyWithANewVersionAndEveryVersionIsInTheHistory) {
    const auto published = publish("Safeguarding", "1.0", "2026-01-01");
    const auto id = id_of(published);
    const std::string item = tenant + "/policies/" + id;
    const auto first = query(item + "?min_position=" + position_of(published));
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(first.json().at("policy_version").as_string(), "1.0");
    EXPECT_EQ(first.json().at("version").as_int64(), 1) << "the entity version, as on every read";
    EXPECT_EQ(first.header("etag"), "\"1\"");
    EXPECT_EQ(first.body.find("\"version\":"), first.body.rfind("\"version\":"))
        << "one version key: " << first.body;
    EXPECT_EQ(testing::expect_matches_openapi("query-service", "GET",
                                              "/v1/tenants/{tenant_id}/policies/{policy_id}",
                                              first.status, first.json()),
              testing::OpenApiCheck::checked);

    const auto before = stack().log_size();
    for (const auto& patch :
         {R"({"content":"Changed"})", R"({"content":"Changed","policy_version":"1.0"})"}) {
        const auto refused = command("PATCH", item, patch, {{"If-Match", "\"1\""}});
        EXPECT_EQ(refused.status, 422) << refused.body;
        EXPECT_EQ(refused.header("content-type"), "application/problem+json");
        EXPECT_EQ(refused.json().at("errors").at(0).at("field").as_string(), "policy_version")
            << refused.body;
    }
    EXPECT_EQ(stack().log_size(), before) << "a refused command appends nothing";

    const auto revised = command("PATCH", item,
                                 R"({"content":"Report within a day","policy_version":"2.0",)"
                                 R"("effective_date":"2026-06-01"})",
                                 {{"If-Match", "\"1\""}});
    ASSERT_EQ(revised.status, 200) << revised.body;
    const auto second = query(item + "?min_position=" + position_of(revised));
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_EQ(second.json().at("policy_version").as_string(), "2.0");
    EXPECT_EQ(second.json().at("content").as_string(), "Report within a day");
    EXPECT_EQ(second.json().at("version").as_int64(), 2);

    // Title and version together are unique: 2.0 is taken, 1.0 was revised away.
    const auto clash = publish("Safeguarding", "2.0", "2027-01-01");
    EXPECT_EQ(clash.status, 409) << clash.body;
    EXPECT_EQ(clash.json().at("type").as_string(), "urn:complexcare:problem:policy-version-exists");
    EXPECT_EQ(publish("Lone working", "2.0", "2027-01-01").status, 201) << "another title";

    const auto history = query(item + "/history");
    ASSERT_EQ(history.status, 200) << history.body;
    EXPECT_EQ(testing::expect_matches_openapi(
                  "query-service", "GET", "/v1/tenants/{tenant_id}/policies/{policy_id}/history",
                  history.status, history.json()),
              testing::OpenApiCheck::checked);
    const auto history_json = history.json();
    const auto& versions = history_json.at("items").as_array();
    ASSERT_EQ(versions.size(), 2u);
    EXPECT_EQ(versions[0].at("step").as_string(), "create");
    EXPECT_EQ(versions[0].at("values").at("policy_version").as_string(), "1.0");
    EXPECT_EQ(versions[0].at("values").at("content").as_string(), "Text");
    EXPECT_EQ(versions[1].at("step").as_string(), "update");
    EXPECT_EQ(versions[1].at("version").as_int64(), 2);
    EXPECT_EQ(versions[1].at("values").at("policy_version").as_string(), "2.0");
    EXPECT_EQ(versions[1].at("values").at("content").as_string(), "Report within a day");
    EXPECT_EQ(versions[1].at("values").at("title").as_string(), "Safeguarding")
        << "unchanged fields carry on";

    // The audit trail has the label's old value too, read from the row.
    const auto audit = query(tenant + "/audit-logs?entity_id=" + id + "&action=PolicyRevised");
    ASSERT_EQ(audit.status, 200) << audit.body;
    const auto audit_json = audit.json();
    EXPECT_EQ(audit_json.at("items").at(0).at("details").at("changes").at("policy_version"),
              (boost::json::value{{"old", "1.0"}, {"new", "2.0"}}));
}

TEST_P(PoliciesEndToEnd, EffectiveOnAnswersTheLatestEffectiveVersionOfEachTitle) {
    const auto first = id_of(publish("Safeguarding", "1.0", "2026-01-01"));
    const auto lone = id_of(publish("Lone working", "1", "2026-03-01"));
    const auto second = id_of(publish("Safeguarding", "2.0", "2026-07-01"));
    const auto future = id_of(publish("Visiting", "1", "2099-01-01"));

    EXPECT_TRUE(in_force("2025-12-31").empty());
    EXPECT_EQ(in_force("2026-02-01"), std::vector<std::string>{first});
    EXPECT_EQ(in_force("2026-03-01"), (std::vector<std::string>{first, lone}))
        << "in force from its effective date on";
    EXPECT_EQ(in_force("2026-07-01"), (std::vector<std::string>{lone, second}))
        << "2.0 replaces 1.0 of the same title";
    EXPECT_EQ(in_force("2099-01-01"), (std::vector<std::string>{lone, second, future}));
    const auto all = query(tenant + "/policies");
    EXPECT_EQ(all.json().at("items").as_array().size(), 4u) << "without the filter, every one";
    EXPECT_EQ(
        testing::expect_matches_openapi("query-service", "GET", "/v1/tenants/{tenant_id}/policies",
                                        all.status, all.json()),
        testing::OpenApiCheck::checked);
    const auto bad = query(tenant + "/policies?effective_on=someday");
    EXPECT_EQ(bad.status, 400) << bad.body;

    // Withdrawn, 2.0 is no longer in force: 1.0 is again.
    last = command("DELETE", tenant + "/policies/" + second);
    ASSERT_EQ(last.status, 200) << last.body;
    EXPECT_EQ(in_force("2026-08-01"), (std::vector<std::string>{first, lone}));
}

CC_E2E_ON_EVERY_LOG(PoliciesEndToEnd);

}  // namespace
}  // namespace cc::e2e
