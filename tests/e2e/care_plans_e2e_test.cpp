// Care plans over HTTP: a second lifecycle aggregate from its description
// alone plus one rule (end on or after start).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>

#include "tests/support/backend_test.hpp"
#include "tests/support/openapi.hpp"

namespace cc::e2e {
namespace {

using testing::HttpResponse;

class CarePlansEndToEnd : public testing::BackendTest {
  protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        const auto slug = "plans-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + "-" +
                          testing::backend_name(GetParam());
        tenant = "/v1/tenants/" + id_of(command("POST", "/v1/tenants",
                                                R"({"name":"Plans","slug":")" + slug + "\"}"));
        patient = id_of(
            command("POST", tenant + "/patients", R"({"first_name":"Pat","last_name":"Plan"})"));
    }
    HttpResponse draft(const std::string& dates) {
        return command("POST", tenant + "/care-plans",
                       R"({"patient_id":")" + patient + R"(","title":"Mobility",)" + dates + "}");
    }
    std::string tenant, patient;
};

TEST_P(CarePlansEndToEnd, DatesInOrderLifecycleAndThePatientsPlans) {
    const auto backwards = draft(R"("start_date":"2031-01-10","end_date":"2031-01-09")");
    ASSERT_EQ(backwards.status, 422) << backwards.body;
    EXPECT_EQ(backwards.json().at("errors").as_array()[0].at("field"), "end_date");
    EXPECT_EQ(draft(R"("start_date":"2031-01-10","created_by":")" + patient + "\"").status, 422)
        << "created_by is the caller, set by the server";

    const auto plan = id_of(draft(R"("start_date":"2031-01-10","end_date":"2031-01-10")"));
    const std::string item = tenant + "/care-plans/" + plan;
    // A patch is checked against the kept start date.
    EXPECT_EQ(
        command("PATCH", item, R"({"end_date":"2031-01-01"})", {{"If-Match", "\"1\""}}).status,
        422);
    EXPECT_EQ(command("POST", item + "/complete").status, 409) << "a draft is not running";
    EXPECT_EQ(command("POST", item + "/activate").status, 200);
    EXPECT_EQ(command("POST", item + "/review").status, 200);
    const auto done = command("POST", item + "/complete");
    ASSERT_EQ(done.status, 200) << done.body;

    const auto other = id_of(draft(R"("start_date":"2031-02-01")"));
    const auto position = std::string(command("POST", tenant + "/care-plans/" + other + "/cancel")
                                          .json()
                                          .at("position")
                                          .as_string());
    const auto completed = query(tenant + "/patients/" + patient +
                                 "/care-plans?status=completed&min_position=" + position);
    ASSERT_EQ(completed.status, 200) << completed.body;
    EXPECT_EQ(
        testing::expect_matches_openapi("query-service", "GET",
                                        "/v1/tenants/{tenant_id}/patients/{patient_id}/care-plans",
                                        completed.status, completed.json()),
        testing::OpenApiCheck::checked);
    const auto items = completed.json().at("items").as_array();
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].at("id").as_string(), plan);
    EXPECT_EQ(items[0].at("status").as_string(), "completed");
    EXPECT_EQ(items[0].at("created_by").as_string(),
              stack().tenant_admin(tenant.substr(std::string("/v1/tenants/").size()))->to_string())
        << "the caller";
    EXPECT_EQ(items[0].at("version").as_int64(), 4) << "drafted, activated, reviewed, completed";
}

CC_E2E_ON_EVERY_LOG(CarePlansEndToEnd);

}  // namespace
}  // namespace cc::e2e
