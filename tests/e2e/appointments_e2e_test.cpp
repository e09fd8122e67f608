// Appointments over HTTP, the first aggregate added as a description plus
// its rules: carer clashes under concurrency, the lifecycle as actions, the
// rota in time order with a keyset cursor, and tenant isolation.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "tests/support/backend_test.hpp"
#include "tests/support/openapi.hpp"

namespace cc::e2e {
namespace {

using testing::http_request;
using testing::HttpResponse;
using testing::OpenApiCheck;

// Every answer these tests look at is also held to the published contract.
void matches(std::string_view service, std::string_view method, std::string_view path,
             const HttpResponse& r) {
    EXPECT_EQ(testing::expect_matches_openapi(service, method, path, r.status, r.json()),
              OpenApiCheck::checked);
}
constexpr std::string_view kCollection = "/v1/tenants/{tenant_id}/appointments";
constexpr std::string_view kItem = "/v1/tenants/{tenant_id}/appointments/{appointment_id}";

class AppointmentsEndToEnd : public testing::BackendTest {
  protected:
    std::string created_id(const HttpResponse& r) {
        EXPECT_EQ(r.status, 201) << r.body;
        return r.status == 201 ? std::string(r.json().at("id").as_string()) : "";
    }
    // A tenant with one patient and two carers.
    void SetUp() override {
        static std::atomic<int> n{0};
        const auto slug = "rota-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + "-" +
                          testing::backend_name(GetParam());
        tenant = "/v1/tenants/" + created_id(command("POST", "/v1/tenants",
                                                     R"({"name":"Rota","slug":")" + slug + "\"}"));
        patient = created_id(
            command("POST", tenant + "/patients", R"({"first_name":"Pat","last_name":"Home"})"));
        carer = created_id(command("POST", tenant + "/care-professionals",
                                   R"({"first_name":"Cara","last_name":"One","role":"Carer"})"));
        other_carer =
            created_id(command("POST", tenant + "/care-professionals",
                               R"({"first_name":"Cole","last_name":"Two","role":"Carer"})"));
    }
    HttpResponse book(const std::string& who, const std::string& start, const std::string& end) {
        return command("POST", tenant + "/appointments",
                       R"({"patient_id":")" + patient + R"(","care_professional_id":")" + who +
                           R"(","start_time":")" + start + R"(","end_time":")" + end + "\"}");
    }
    HttpResponse act(const std::string& id, const std::string& action,
                     const std::string& body = "") {
        return command("POST", tenant + "/appointments/" + id + "/" + action, body);
    }

    std::string tenant, patient, carer, other_carer;
};

TEST_P(AppointmentsEndToEnd, FiftyConcurrentOverlappingBookingsOfOneCarerGiveExactlyOne) {
    std::atomic<int> created{0}, clashes{0}, other{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 50; ++i) {
        threads.emplace_back([&, i] {
            // Every slot overlaps every other: all start within the first.
            const auto minute = std::to_string(10 + i);
            const auto r =
                book(carer, "2031-03-01T09:" + minute + ":00Z", "2031-03-01T10:" + minute + ":00Z");
            if (r.status == 201) {
                ++created;
            } else if (r.status == 409 &&
                       r.json().at("type").as_string().ends_with("carer-clash")) {
                ++clashes;
            } else {
                ++other;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(created.load(), 1);
    EXPECT_EQ(clashes.load(), 49);
    EXPECT_EQ(other.load(), 0);

    // Two carers on one visit is a double-up, not a clash; an adjacent slot
    // [end, ...) does not overlap a half-open interval.
    EXPECT_EQ(book(other_carer, "2031-03-01T09:30:00Z", "2031-03-01T10:30:00Z").status, 201);
    EXPECT_EQ(book(carer, "2031-03-01T11:00:00+01:00", "2031-03-01T12:00:00+01:00").status, 409)
        << "10:00Z to 11:00Z overlaps the booked 09:xx to 10:xx";
    const auto clash = book(carer, "2031-03-01T09:59:00Z", "2031-03-01T10:30:00Z");
    ASSERT_EQ(clash.status, 409);
    matches("command-service", "POST", kCollection, clash);
    matches("command-service", "POST", kCollection,
            book(other_carer, "2031-03-02T09:00:00Z", "2031-03-02T10:00:00Z"));
    EXPECT_EQ(clash.json().at("errors").as_array()[0].at("field"), "care_professional_id");
    EXPECT_NE(clash.json().at("detail").as_string().find("appointment "), std::string::npos)
        << "the clash names the appointment it collides with";
}

TEST_P(AppointmentsEndToEnd, LifecycleStepsAreActionsAndAWrongStepNamesTheAllowedOnes) {
    const auto id = created_id(book(carer, "2031-04-01T09:00:00Z", "2031-04-01T10:00:00Z"));
    EXPECT_EQ(act(id, "confirm").status, 200);
    const auto again = act(id, "confirm");
    ASSERT_EQ(again.status, 409) << again.body;
    matches("command-service", "POST", std::string(kItem) + "/confirm", again);
    EXPECT_TRUE(again.json().at("type").as_string().ends_with("invalid-transition"));
    const std::string detail(again.json().at("detail").as_string());
    EXPECT_NE(detail.find("confirmed"), std::string::npos) << detail;
    EXPECT_NE(detail.find("start, cancel, no-show, reschedule, reassign"), std::string::npos)
        << detail;

    EXPECT_EQ(act(id, "no-show").status, 422) << "not before the visit was due";
    EXPECT_EQ(act(id, "cancel", "{}").status, 422) << "a reason is required";

    // Rescheduling into another booking of the carer clashes; elsewhere it moves.
    const auto busy = created_id(book(carer, "2031-04-02T09:00:00Z", "2031-04-02T10:00:00Z"));
    EXPECT_EQ(act(id, "reschedule",
                  R"({"start_time":"2031-04-02T09:30:00Z","end_time":"2031-04-02T10:30:00Z"})")
                  .status,
              409);
    EXPECT_EQ(act(id, "reschedule",
                  R"({"start_time":"2031-04-03T10:00:00+02:00","end_time":"2031-04-03T07:30:00Z"})")
                  .status,
              422)
        << "the end must come after the start";
    const auto moved =
        act(id, "reschedule",
            R"({"start_time":"2031-04-03T10:00:00+02:00","end_time":"2031-04-03T10:00:00+01:00"})");
    ASSERT_EQ(moved.status, 200) << moved.body;
    matches("command-service", "POST", std::string(kItem) + "/reschedule", moved);
    const auto position = std::string(moved.json().at("position").as_string());
    const auto read = query(tenant + "/appointments/" + id + "?min_position=" + position);
    ASSERT_EQ(read.status, 200) << read.body;
    matches("query-service", "GET", kItem, read);
    EXPECT_EQ(read.json().at("start_time"), "2031-04-03T08:00:00.000000Z") << "stored in UTC";
    EXPECT_EQ(read.json().at("status"), "confirmed");

    EXPECT_EQ(act(id, "start").status, 200);
    EXPECT_EQ(act(id, "complete").status, 200);
    EXPECT_EQ(act(id, "cancel", R"({"reason":"too late"})").status, 409);

    // A patient with booked future visits cannot be deleted.
    EXPECT_EQ(command("DELETE", tenant + "/patients/" + patient).status, 409);
    EXPECT_EQ(act(busy, "cancel", R"({"reason":"family visiting"})").status, 200);
    EXPECT_EQ(command("DELETE", tenant + "/patients/" + patient).status, 200);
}

TEST_P(AppointmentsEndToEnd, AMissedVisitAndACancelledOneFreeTheSlot) {
    const auto past = created_id(book(carer, "2020-01-01T09:00:00Z", "2020-01-01T10:00:00Z"));
    EXPECT_EQ(act(past, "no-show").status, 200) << "its start time has passed";
    EXPECT_EQ(book(carer, "2020-01-01T09:00:00Z", "2020-01-01T10:00:00Z").status, 201)
        << "a missed visit holds no time";
}

TEST_P(AppointmentsEndToEnd, TheRotaIsInTimeOrderWithAKeysetCursorAndRangeFilters) {
    if (GetParam() == eventlog::Backend::kafka) GTEST_SKIP() << "the read side is the same";
    // 30 visits, booked out of time order, alternating carers (no clashes).
    std::string position;
    for (int i = 0; i < 30; ++i) {
        const int day = 1 + (i * 7) % 30;
        const auto who = i % 2 == 0 ? carer : other_carer;
        const auto hour = std::to_string(10 + i % 2);
        auto r = book(who,
                      "2031-05-" + std::string(day < 10 ? "0" : "") + std::to_string(day) + "T" +
                          hour + ":00:00Z",
                      "2031-05-" + std::string(day < 10 ? "0" : "") + std::to_string(day) + "T" +
                          hour + ":30:00Z");
        ASSERT_EQ(r.status, 201) << r.body;
        position = std::string(r.json().at("position").as_string());
    }
    std::vector<std::string> starts;
    std::string cursor;
    for (int page = 0; page < 10; ++page) {
        auto r = query(tenant +
                       "/appointments?limit=7&from=2031-05-01T00:00:00Z&to=2031-06-01T00:00:00Z&"
                       "min_position=" +
                       position + (cursor.empty() ? "" : "&cursor=" + cursor));
        ASSERT_EQ(r.status, 200) << r.body;
        matches("query-service", "GET", kCollection, r);
        const auto json = r.json();
        for (const auto& item : json.at("items").as_array()) {
            starts.emplace_back(item.at("start_time").as_string());
        }
        if (json.at("next_cursor").is_null()) break;
        cursor = std::string(json.at("next_cursor").as_string());
    }
    ASSERT_EQ(starts.size(), 30u) << "no gap, no repeat";
    EXPECT_TRUE(std::is_sorted(starts.begin(), starts.end()));
    auto mine = query(tenant + "/appointments?care_professional_id=" + carer +
                      "&from=2031-05-10T00:00:00Z&status=scheduled");
    ASSERT_EQ(mine.status, 200);
    const auto mine_json = mine.json();
    ASSERT_FALSE(mine_json.at("items").as_array().empty());
    for (const auto& item : mine_json.at("items").as_array()) {
        EXPECT_EQ(item.at("care_professional_id").as_string(), carer);
        EXPECT_GE(std::string(item.at("start_time").as_string()), "2031-05-10");
    }
    // A carer's schedule and a patient's visits are the same list under a reference.
    const auto schedule = query(tenant + "/care-professionals/" + other_carer +
                                "/appointments?from=2031-05-01T00:00:00Z&to=2031-06-01T00:00:00Z");
    ASSERT_EQ(schedule.status, 200) << schedule.body;
    matches("query-service", "GET",
            "/v1/tenants/{tenant_id}/care-professionals/{care_professional_id}/appointments",
            schedule);
    const auto schedule_json = schedule.json();
    EXPECT_EQ(schedule_json.at("items").as_array().size(), 15u);
    for (const auto& item : schedule_json.at("items").as_array()) {
        EXPECT_EQ(item.at("care_professional_id").as_string(), other_carer);
    }
    const auto visits = query(tenant + "/patients/" + patient + "/appointments?limit=200");
    ASSERT_EQ(visits.status, 200);
    EXPECT_EQ(visits.json().at("items").as_array().size(), 30u);
    EXPECT_EQ(
        query(tenant + "/patients/" + carer + "/appointments").json().at("items").as_array().size(),
        0u)
        << "an id that is no patient has no visits";
    const auto bad_cursor = query(tenant + "/appointments?cursor=not-a-cursor");
    EXPECT_EQ(bad_cursor.status, 400);
    matches("query-service", "GET", kCollection, bad_cursor);
}

TEST_P(AppointmentsEndToEnd, AnotherTenantsAppointmentIsMissingEverywhere) {
    const auto id = created_id(book(carer, "2031-06-01T09:00:00Z", "2031-06-01T10:00:00Z"));
    const auto mine = tenant;
    SetUp();  // a second tenant, with its own patient and carers
    const auto before = stack().log_size();
    EXPECT_EQ(act(id, "confirm").status, 404);
    EXPECT_EQ(command("PATCH", tenant + "/appointments/" + id, R"({"notes":"x"})",
                      {{"If-Match", "\"1\""}})
                  .status,
              404);
    EXPECT_EQ(query(tenant + "/appointments/" + id).status, 404);
    EXPECT_EQ(stack().log_size(), before) << "refusals append nothing";
    // And a reference to another tenant's carer is refused.
    const auto foreign =
        command("POST", tenant + "/appointments",
                R"({"patient_id":")" + patient + R"(","care_professional_id":")" + id +
                    R"(","start_time":"2031-06-01T09:00:00Z","end_time":"2031-06-01T10:00:00Z"})");
    EXPECT_EQ(foreign.status, 422);
    (void)mine;
}

CC_E2E_ON_EVERY_LOG(AppointmentsEndToEnd);

}  // namespace
}  // namespace cc::e2e
