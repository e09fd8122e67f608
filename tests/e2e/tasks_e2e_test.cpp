// Tasks over HTTP: the team's list by due time (tasks without one last), a
// member's own tasks (assigned_to=me), overdue ones, and their lifecycle.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>

#include "tests/support/backend_test.hpp"
#include "tests/support/openapi.hpp"

namespace cc::e2e {
namespace {

using testing::HttpResponse;

class TasksEndToEnd : public testing::BackendTest {
  protected:
    void SetUp() override {
        const auto suffix = unique_suffix();
        tenant = new_tenant("Tasks", "tasks-" + suffix);
        carer = new_member(tenant, "carer", "carer-" + suffix + "@tasks.example.org").id;
    }
    HttpResponse add(const std::string& body) { return command("POST", tenant + "/tasks", body); }
    HttpResponse as_carer(const std::string& target) {
        return testing::http_request(
            stack().query_port, "GET", target, "",
            {{"Authorization", "Bearer " + stack().token_for(UserId(*Uuid::parse(carer)))}});
    }
    std::string tenant, carer;
};

TEST_P(TasksEndToEnd, DueOrderMyTasksOverdueAndLifecycle) {
    const auto undated = id_of(add(R"({"title":"Whenever"})"));
    const auto late = id_of(add(
        R"({"title":"Late","due_date":"2020-01-01T09:00:00Z","assigned_to":")" + carer + "\"}"));
    const auto soon = id_of(
        add(R"({"title":"Soon","priority":"urgent","due_date":"2031-01-01T09:00:00+01:00"})"));
    EXPECT_EQ(add(R"({"title":"X","priority":"someday"})").status, 422);
    EXPECT_EQ(add(R"({"title":"X","assigned_to":")" + tenant.substr(12) + "\"}").status, 422)
        << "assigned_to must be a member of the tenant";

    // Due order, undated last, across pages of one.
    const auto last = add(R"({"title":"Later","due_date":"2032-01-01T00:00:00Z"})");
    const auto position = std::string(last.json().at("position").as_string());
    std::vector<std::string> order;
    std::string cursor;
    for (int page = 0; page < 6; ++page) {
        auto r = query(tenant + "/tasks?limit=1&min_position=" + position +
                       (cursor.empty() ? "" : "&cursor=" + cursor));
        ASSERT_EQ(r.status, 200) << r.body;
        const auto json = r.json();
        for (const auto& item : json.at("items").as_array()) {
            order.emplace_back(item.at("title").as_string());
        }
        if (json.at("next_cursor").is_null()) break;
        cursor = std::string(json.at("next_cursor").as_string());
    }
    EXPECT_EQ(order, (std::vector<std::string>{"Late", "Soon", "Later", "Whenever"}));

    const auto first = query(tenant + "/tasks/" + soon);
    ASSERT_EQ(first.status, 200);
    EXPECT_EQ(first.json().at("priority"), "urgent");
    EXPECT_EQ(query(tenant + "/tasks/" + undated).json().at("priority"), "normal")
        << "priority defaults to normal";
    EXPECT_EQ(first.json().at("status"), "open");

    const auto mine = as_carer(tenant + "/tasks?assigned_to=me");
    ASSERT_EQ(mine.status, 200) << mine.body;
    EXPECT_EQ(
        testing::expect_matches_openapi("query-service", "GET", "/v1/tenants/{tenant_id}/tasks",
                                        mine.status, mine.json()),
        testing::OpenApiCheck::checked);
    ASSERT_EQ(mine.json().at("items").as_array().size(), 1u);
    EXPECT_EQ(mine.json().at("items").as_array()[0].at("id").as_string(), late);
    const auto overdue = query(tenant + "/tasks?overdue=true");
    ASSERT_EQ(overdue.status, 200);
    ASSERT_EQ(overdue.json().at("items").as_array().size(), 1u);
    EXPECT_EQ(overdue.json().at("items").as_array()[0].at("id").as_string(), late);

    // Steps: done tasks are not overdue; a closed task reopens.
    const std::string item = tenant + "/tasks/" + late;
    EXPECT_EQ(command("POST", item + "/reopen").status, 409);
    EXPECT_EQ(command("POST", item + "/start").status, 200);
    const auto done = command("POST", item + "/complete");
    ASSERT_EQ(done.status, 200);
    const auto after = query(tenant + "/tasks?overdue=true&min_position=" +
                             std::string(done.json().at("position").as_string()));
    EXPECT_EQ(after.json().at("items").as_array().size(), 0u);
    EXPECT_EQ(command("POST", item + "/reopen").status, 200);
    EXPECT_EQ(command("POST", tenant + "/tasks/" + undated + "/assign", "{}").status, 422)
        << "assign needs someone";
    EXPECT_EQ(command("POST", tenant + "/tasks/" + undated + "/assign",
                      R"({"assigned_to":")" + carer + "\"}")
                  .status,
              200);
}

CC_E2E_ON_EVERY_LOG(TasksEndToEnd);

}  // namespace
}  // namespace cc::e2e
