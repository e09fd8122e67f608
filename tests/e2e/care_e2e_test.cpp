// Patients and care professionals over HTTP: uniqueness under concurrency,
// optimistic concurrency, idempotent retries across a restart,
// read-your-writes, search, filters and pagination.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include "tests/support/backend_test.hpp"
#include "tests/support/openapi.hpp"

namespace cc::e2e {
namespace {

using testing::http_request;
using testing::HttpResponse;

class CareEndToEnd : public testing::BackendTest {
  protected:
    std::string tenant() {
        static std::atomic<int> n{0};
        const auto slug = "care-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + "-" +
                          testing::backend_name(GetParam());
        auto r = command("POST", "/v1/tenants", R"({"name":"Care","slug":")" + slug + "\"}");
        EXPECT_EQ(r.status, 201) << r.body;
        return "/v1/tenants/" + std::string(r.json().at("id").as_string());
    }
};

TEST_P(CareEndToEnd, FiftyConcurrentRegistrationsOfOneNhsNumberGiveOneSuccessPerTenant) {
    const auto a = tenant();
    const auto b = tenant();
    std::atomic<int> created{0}, conflicts{0}, other{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 50; ++i) {
        threads.emplace_back([&, i] {
            const auto r = command("POST", a + "/patients",
                                   R"({"first_name":"P)" + std::to_string(i) +
                                       R"(","last_name":"Same","nhs_number":"943 476 5919"})");
            (r.status == 201 ? created : r.status == 409 ? conflicts : other)++;
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(created.load(), 1);
    EXPECT_EQ(conflicts.load(), 49);
    EXPECT_EQ(other.load(), 0);
    EXPECT_EQ(command("POST", b + "/patients",
                      R"({"first_name":"Q","last_name":"Other","nhs_number":"9434765919"})")
                  .status,
              201)
        << "the same number in another tenant";
}

TEST_P(CareEndToEnd, StaleIfMatchGets412AndAppendsNothing) {
    const auto a = tenant();
    auto created =
        command("POST", a + "/patients", R"({"first_name":"Ada","last_name":"Lovelace"})");
    ASSERT_EQ(created.status, 201);
    const std::string item = a + "/patients/" + std::string(created.json().at("id").as_string());
    ASSERT_EQ(command("PATCH", item, R"({"first_name":"Augusta"})", {{"If-Match", "\"1\""}}).status,
              200);
    const auto before = stack().log_size();
    auto stale = command("PATCH", item, R"({"first_name":"Ada"})", {{"If-Match", "\"1\""}});
    EXPECT_EQ(stale.status, 412) << stale.body;
    EXPECT_EQ(testing::expect_matches_openapi("command-service", "PATCH",
                                              "/v1/tenants/{tenant_id}/patients/{patient_id}",
                                              stale.status, stale.json()),
              testing::OpenApiCheck::checked);
    EXPECT_EQ(stack().log_size(), before);
}

TEST_P(CareEndToEnd, IdempotentRetryReturnsTheFirstAnswerAlsoAfterARestart) {
    const auto a = tenant();
    const std::string body = R"({"first_name":"Grace","last_name":"Hopper"})";
    const std::map<std::string, std::string> key{{"Idempotency-Key", "retry-" + a}};
    auto first = command("POST", a + "/patients", body, key);
    ASSERT_EQ(first.status, 201) << first.body;
    const auto before = stack().log_size();

    auto retry = command("POST", a + "/patients", body, key);
    EXPECT_EQ(retry.status, 201);
    EXPECT_EQ(retry.body, first.body);
    EXPECT_EQ(retry.header("idempotent-replayed"), "true");

    stack().command->kill_hard();
    stack().start_command_service();
    auto after_restart = command("POST", a + "/patients", body, key);
    EXPECT_EQ(after_restart.status, 201);
    EXPECT_EQ(after_restart.body, first.body) << "the key travelled in the envelope";

    const auto b = tenant();
    auto other_tenant = command("POST", b + "/patients", body, key);
    EXPECT_EQ(other_tenant.status, 201) << "keys are per tenant: " << other_tenant.body;
    EXPECT_NE(other_tenant.json().at("id"), first.json().at("id"));
    const auto after_other = stack().log_size();

    auto different =
        command("POST", a + "/patients", R"({"first_name":"Someone","last_name":"Else"})", key);
    EXPECT_EQ(different.status, 422) << different.body;
    EXPECT_EQ(different.json().at("type").as_string(),
              "urn:complexcare:problem:idempotency-key-reused");
    EXPECT_EQ(after_other, before + 4)
        << "the other tenant's creation, its admin's account and membership, and its command";
    EXPECT_EQ(stack().log_size(), after_other) << "retries append nothing";
}

TEST_P(CareEndToEnd, ReadYourWritesAnswersTheNewRowAtOnceOr503PastTheBound) {
    const auto a = tenant();
    auto created =
        command("POST", a + "/patients",
                R"({"first_name":"Mary","last_name":"Seacole","phone":"020 7946 0958"})");
    ASSERT_EQ(created.status, 201);
    const auto json = created.json();
    const std::string id(json.at("id").as_string());
    const std::string position(json.at("position").as_string());
    auto read = query(a + "/patients/" + id + "?min_position=" + position);
    ASSERT_EQ(read.status, 200) << "first read after the command: " << read.body;
    EXPECT_EQ(read.json().at("last_name").as_string(), "Seacole");
    auto patched = command("PATCH", a + "/patients/" + id, R"({"last_name":"Seacole-Grant"})",
                           {{"If-Match", "\"1\""}});
    ASSERT_EQ(patched.status, 200);
    auto reread =
        query(a + "/patients/" + id,
              {{"X-Min-Position", std::string(patched.json().at("position").as_string())}});
    ASSERT_EQ(reread.status, 200);
    EXPECT_EQ(reread.json().at("last_name").as_string(), "Seacole-Grant");
    EXPECT_EQ(reread.header("etag"), "\"2\"");

    // No command ever answered a position the log has not reached: no wait.
    auto never = query(a + "/patients/" + id + "?min_position=0:999999999");
    EXPECT_EQ(never.status, 400) << never.body;
    EXPECT_EQ(never.json().at("type").as_string(), "urn:complexcare:problem:position-beyond-log");
    EXPECT_EQ(query(a + "/patients?min_position=banana").status, 400);

    // A position the log has and the (frozen) projector has not applied:
    // 503 past the bound (CC_CONSISTENCY_TIMEOUT_MS), never the stale row.
    stack().projector->freeze();
    auto renamed = command("PATCH", a + "/patients/" + id, R"({"last_name":"Seacole-Later"})",
                           {{"If-Match", "\"2\""}});
    auto lagging = query(a + "/patients/" + id +
                         "?min_position=" + std::string(renamed.json().at("position").as_string()));
    stack().projector->thaw();
    ASSERT_EQ(renamed.status, 200) << renamed.body;
    EXPECT_EQ(lagging.status, 503) << lagging.body;
    EXPECT_EQ(lagging.header("retry-after"), "1");
    EXPECT_EQ(lagging.json().at("type").as_string(), "urn:complexcare:problem:projection-lagging");
}

TEST_P(CareEndToEnd, ListsSearchFilterAndPaginateWithoutGapsOrRepeats) {
    if (GetParam() == eventlog::Backend::kafka)
        GTEST_SKIP() << "the read side is the same; one log is enough";
    const auto a = tenant();
    std::set<std::string> ids;
    std::string last_position;
    // Last names shared by many (ties ordered by first name), and 40 people
    // of one full name (ties ordered by id), so pages of 37 end inside ties.
    for (int i = 0; i < 1000; ++i) {
        const auto first = i < 40 ? std::string("Same") : "First" + std::to_string(i);
        const auto last = i < 40
                              ? std::string("Samename")
                              : (i % 10 == 0 ? "Nightingale" : "Patient") + std::to_string(i % 7);
        const auto r = command("POST", a + "/patients",
                               R"({"first_name":")" + first + R"(","last_name":")" + last + "\"}");
        ASSERT_EQ(r.status, 201) << r.body;
        const auto json = r.json();
        ids.insert(std::string(json.at("id").as_string()));
        last_position = std::string(json.at("position").as_string());
    }
    auto nhs = command("POST", a + "/patients",
                       R"({"first_name":"Nhs","last_name":"Holder","nhs_number":"4010232137"})");
    ASSERT_EQ(nhs.status, 201);
    const std::string nhs_position(nhs.json().at("position").as_string());

    ASSERT_TRUE(projected(a + "/patients?limit=1", nhs_position));
    std::vector<std::string> seen;
    // Listed by name: (last_name, first_name, id), in the database's C.UTF-8
    // order, which is byte order.
    std::vector<std::tuple<std::string, std::string, std::string>> order;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
        auto r = query(a + "/patients?limit=37&min_position=" + nhs_position +
                       (cursor.empty() ? "" : "&cursor=" + cursor));
        ASSERT_EQ(r.status, 200) << r.body;
        const auto json = r.json();
        for (const auto& item : json.at("items").as_array()) {
            seen.emplace_back(item.at("id").as_string());
            order.emplace_back(item.at("last_name").as_string(), item.at("first_name").as_string(),
                               seen.back());
        }
        if (json.at("next_cursor").is_null()) break;
        cursor = std::string(json.at("next_cursor").as_string());
    }
    EXPECT_EQ(seen.size(), 1001u);
    EXPECT_TRUE(std::is_sorted(order.begin(), order.end())) << "by last name, first name, id";
    const std::set<std::string> unique(seen.begin(), seen.end());
    EXPECT_EQ(unique.size(), seen.size()) << "no repeats";
    for (const auto& id : ids) ASSERT_TRUE(unique.contains(id)) << "no gaps";

    auto search = query(a + "/patients?q=nIGHTinGale&limit=200");
    ASSERT_EQ(search.status, 200);
    EXPECT_EQ(search.json().at("items").as_array().size(), 96u)
        << "case-insensitive prefix on last name: i = 40, 50, ..., 990";
    EXPECT_EQ(query(a + "/patients?q=first99&limit=200").json().at("items").as_array().size(), 11u)
        << "prefix on first name: First99, First990..First999";
    EXPECT_EQ(query(a + "/patients?q=%25").json().at("items").as_array().size(), 0u)
        << "% is literal";
    auto by_nhs = query(a + "/patients?nhs_number=401%20023%202137");
    ASSERT_EQ(by_nhs.status, 200);
    ASSERT_EQ(by_nhs.json().at("items").as_array().size(), 1u);
    EXPECT_EQ(by_nhs.json().at("items").as_array()[0].at("last_name").as_string(), "Holder");

    // Deleted patients vanish from lists and items.
    const std::string holder(nhs.json().at("id").as_string());
    auto deleted = command("DELETE", a + "/patients/" + holder);
    ASSERT_EQ(deleted.status, 200);
    const std::string del_position(deleted.json().at("position").as_string());
    EXPECT_EQ(query(a + "/patients/" + holder + "?min_position=" + del_position).status, 404);
    EXPECT_EQ(query(a + "/patients?nhs_number=4010232137").json().at("items").as_array().size(),
              0u);
}

TEST_P(CareEndToEnd, CareProfessionalsNeedAMemberUserAndFilterByRole) {
    const auto a = tenant();
    auto user = command("POST", "/v1/users",
                        R"({"email":"nurse-)" + std::to_string(::getpid()) + "-" +
                            testing::backend_name(GetParam()) + R"(@example.org"})");
    ASSERT_EQ(user.status, 201);
    const std::string user_id(user.json().at("id").as_string());
    const std::string body =
        R"({"first_name":"Flo","last_name":"N","role":"Nurse","license_number":"NMC 12A3456B","user_id":")" +
        user_id + "\"}";
    auto refused = command("POST", a + "/care-professionals", body);
    EXPECT_EQ(refused.status, 422) << refused.body;
    ASSERT_EQ(command("PUT", a + "/members/" + user_id, R"({"role":"clinician"})").status, 201);
    auto created = command("POST", a + "/care-professionals", body);
    ASSERT_EQ(created.status, 201) << created.body;
    auto doctor = command("POST", a + "/care-professionals",
                          R"({"first_name":"Doc","last_name":"Tor","role":"GP"})");
    ASSERT_EQ(doctor.status, 201);
    const std::string position(doctor.json().at("position").as_string());
    auto nurses = query(a + "/care-professionals?role=Nurse&min_position=" + position);
    ASSERT_EQ(nurses.status, 200);
    const auto json = nurses.json();
    EXPECT_EQ(testing::expect_matches_openapi("query-service", "GET",
                                              "/v1/tenants/{tenant_id}/care-professionals",
                                              nurses.status, json),
              testing::OpenApiCheck::checked);
    ASSERT_EQ(json.at("items").as_array().size(), 1u);
    EXPECT_EQ(json.at("items").as_array()[0].at("user_id").as_string(), user_id);

    // The audit row of an update names the changed field, old and new.
    const std::string item =
        a + "/care-professionals/" + std::string(doctor.json().at("id").as_string());
    auto updated =
        command("PATCH", item, R"({"specialization":"Geriatrics"})", {{"If-Match", "\"1\""}});
    ASSERT_EQ(updated.status, 200);
    auto audit = query(a + "/audit-logs?action=CareProfessionalUpdated&min_position=" +
                       std::string(updated.json().at("position").as_string()));
    ASSERT_EQ(audit.status, 200);
    const auto audit_json = audit.json();
    ASSERT_EQ(audit_json.at("items").as_array().size(), 1u);
    const auto& change =
        audit_json.at("items").as_array()[0].at("details").at("changes").at("specialization");
    EXPECT_TRUE(change.at("old").is_null());
    EXPECT_EQ(change.at("new").as_string(), "Geriatrics");
}

CC_E2E_ON_EVERY_LOG(CareEndToEnd);

}  // namespace
}  // namespace cc::e2e
