// The three services as real processes over loopback HTTP, once on the
// PostgreSQL log and once on Kafka (librdkafka's mock cluster, hosted here).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "platform/auth/token.hpp"
#include "platform/core/uuid.hpp"
#include "platform/eventlog/factory.hpp"
#include "tests/support/backend_test.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/openapi.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/process.hpp"
#include "tests/support/prometheus.hpp"
#include "tests/support/stack.hpp"

namespace cc::e2e {
namespace {

using namespace std::chrono_literals;
using eventlog::Backend;
using testing::backend_name;
using testing::http_request;
using testing::HttpResponse;
using testing::Stack;
using testing::stacks;

class HttpEndToEnd : public ::testing::TestWithParam<Backend> {
  protected:
    static void TearDownTestSuite() { stacks().clear(); }

    Stack& stack() { return testing::stack_for(GetParam()); }
    // As the platform administrator, or a tenant admin for a tenant's data,
    // unless the headers carry another Authorization.
    std::map<std::string, std::string> with_token(const std::string& target,
                                                  std::map<std::string, std::string> headers) {
        headers.emplace("Authorization", "Bearer " + stack().token_for_target(target));
        return headers;
    }
    HttpResponse command(const std::string& method, const std::string& target,
                         const std::string& body = "",
                         const std::map<std::string, std::string>& headers = {}) {
        return http_request(stack().command_port, method, target, body,
                            with_token(target, headers));
    }
    HttpResponse query(const std::string& target,
                       const std::map<std::string, std::string>& headers = {}) {
        return http_request(stack().query_port, "GET", target, "", with_token(target, headers));
    }

    // Projections are eventually consistent: poll until the row shows up.
    HttpResponse query_until_found(const std::string& target) {
        HttpResponse response;
        testing::eventually([&] {
            response = query(target);
            return response.status == 200;
        });
        return response;
    }

    std::string unique(const std::string& prefix) {
        static std::atomic<int> counter{0};
        return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
    }

    std::string create_tenant(const std::string& slug) {
        auto r = command("POST", "/v1/tenants",
                         R"({"name":"Care )" + slug + R"(","slug":")" + slug + "\"}");
        EXPECT_EQ(r.status, 201) << r.body;
        return std::string(r.json().at("id").as_string());
    }
};

TEST_P(HttpEndToEnd, TenantUserAndMembershipFlowToTheQueryServiceAndTheAuditLog) {
    const auto slug = unique("sunrise");
    auto created =
        command("POST", "/v1/tenants",
                R"({"name":"Sunrise Care","slug":")" + slug + R"(","primary_color":"#0a0b0c"})",
                {{"User-Agent", "e2e-test/1.0"}, {"X-Request-Id", "req-e2e-1"}});
    ASSERT_EQ(created.status, 201) << created.body;
    const auto body = created.json().as_object();
    const std::string tenant_id(body.at("id").as_string());
    EXPECT_EQ(body.at("version").as_int64(), 1);
    EXPECT_TRUE(body.at("position").is_string());
    EXPECT_EQ(created.header("etag"), "\"1\"");

    auto user = command("POST", "/v1/users",
                        R"({"email":")" + unique("jane") + R"(@example.org","name":"Jane"})");
    ASSERT_EQ(user.status, 201) << user.body;
    const std::string user_id(user.json().at("id").as_string());

    auto member = command("PUT", "/v1/tenants/" + tenant_id + "/members/" + user_id,
                          R"({"role":"clinician","is_primary":true})");
    ASSERT_EQ(member.status, 201) << member.body;
    auto change = command("PUT", "/v1/tenants/" + tenant_id + "/members/" + user_id,
                          R"({"role":"manager","is_primary":true})");
    ASSERT_EQ(change.status, 200) << change.body;
    EXPECT_EQ(change.json().at("version").as_int64(), 2);

    auto tenant = query_until_found("/v1/tenants/" + tenant_id);
    ASSERT_EQ(tenant.status, 200) << tenant.body;
    // Held to the published contract once openapi/query-service.json exists.
    testing::expect_matches_openapi("query-service", "GET", "/v1/tenants/{tenant_id}",
                                    tenant.status, tenant.json());
    EXPECT_EQ(tenant.json().at("slug").as_string(), slug);
    EXPECT_EQ(tenant.json().at("primary_color").as_string(), "#0a0b0c");
    EXPECT_EQ(tenant.header("etag"), "\"1\"");
    EXPECT_EQ(query("/v1/tenants/" + tenant_id, {{"If-None-Match", "\"1\""}}).status, 304);

    ASSERT_EQ(query_until_found("/v1/users/" + user_id).status, 200);
    HttpResponse membership;
    testing::eventually([&] {
        membership = query("/v1/tenants/" + tenant_id + "/members/" + user_id);
        return membership.status == 200 && membership.json().at("role") == "manager";
    });
    ASSERT_EQ(membership.status, 200) << membership.body;
    EXPECT_EQ(membership.json().at("role").as_string(), "manager");
    EXPECT_EQ(membership.json().at("version").as_int64(), 2);
    auto members = query("/v1/tenants/" + tenant_id + "/members");
    ASSERT_EQ(members.status, 200);
    EXPECT_EQ(members.json().at("items").as_array().size(), 1u);

    auto audit = query("/v1/tenants/" + tenant_id + "/audit-logs");
    ASSERT_EQ(audit.status, 200) << audit.body;
    const auto audit_json = audit.json();
    const auto& items = audit_json.at("items").as_array();
    std::multiset<std::string> actions;
    for (const auto& item : items) actions.insert(std::string(item.at("action").as_string()));
    // The second grant is the harness's tenant admin, through whom the trail
    // is read: platform administrators do not read a tenant's records.
    EXPECT_EQ(actions, (std::multiset<std::string>{"TenantCreated", "MembershipGranted",
                                                   "MembershipGranted", "MembershipRoleChanged"}));
    const auto& oldest = items.back().as_object();  // newest first
    EXPECT_EQ(oldest.at("action"), "TenantCreated");
    EXPECT_EQ(oldest.at("user_agent"), "e2e-test/1.0");
    EXPECT_EQ(oldest.at("ip_address"), "127.0.0.1");
    EXPECT_EQ(oldest.at("details").at("request_id"), "req-e2e-1");
    EXPECT_EQ(oldest.at("details").at("changes").at("slug").at("new").as_string(), slug);
    EXPECT_EQ(std::string(oldest.at("user_id").as_string()), stack().admin.to_string())
        << "the actor is the token's subject";
}

TEST_P(HttpEndToEnd, MalformedAndInvalidCommandsGetProblemJsonAndAppendNothing) {
    const auto tenant_id = create_tenant(unique("rules"));
    const auto before = stack().log_size();

    auto malformed = command("POST", "/v1/tenants", R"({"name": "x", )");
    EXPECT_EQ(malformed.status, 400);
    EXPECT_EQ(malformed.header("content-type"), "application/problem+json");
    EXPECT_EQ(malformed.json().at("type"), "urn:complexcare:problem:malformed-json");

    auto invalid =
        command("POST", "/v1/tenants", R"({"name":"","slug":"Not A Slug","primary_color":"blue"})");
    EXPECT_EQ(invalid.status, 422);
    EXPECT_EQ(invalid.json().at("type"), "urn:complexcare:problem:validation-failed");
    std::set<std::string> fields;
    const auto invalid_json = invalid.json();
    for (const auto& e : invalid_json.at("errors").as_array())
        fields.insert(std::string(e.at("field").as_string()));
    EXPECT_EQ(fields, (std::set<std::string>{"name", "slug", "primary_color"}));

    EXPECT_EQ(command("POST", "/v1/users", R"({"email":"not-an-email"})").status, 422);
    EXPECT_EQ(command("POST", "/v1/users", R"({"email":"a@example.org"})",
                      {{"Content-Type", "text/plain"}})
                  .status,
              415)
        << "RFC 9110: a body in a format the endpoint does not read";
    EXPECT_EQ(command("PATCH", "/v1/tenants/" + tenant_id, R"({"name":"New"})").status, 428);
    auto stale =
        command("PATCH", "/v1/tenants/" + tenant_id, R"({"name":"New"})", {{"If-Match", "\"9\""}});
    EXPECT_EQ(stale.status, 412);
    EXPECT_EQ(stale.json().at("type"), "urn:complexcare:problem:version-mismatch");
    EXPECT_EQ(
        command("PUT", "/v1/tenants/" + tenant_id + "/members/" + Uuid::random_v4().to_string(),
                R"({"role":"carer"})")
            .status,
        404);
    EXPECT_EQ(command("PUT", "/v1/tenants/not-a-uuid/members/x", R"({"role":"carer"})").status,
              404);
    EXPECT_EQ(command("DELETE", "/v1/users/" + Uuid::random_v4().to_string()).status, 404);
    EXPECT_EQ(command("GET", "/v1/tenants").status, 405);

    EXPECT_EQ(stack().log_size(), before) << "a rejected command appends no event";

    auto renamed =
        command("PATCH", "/v1/tenants/" + tenant_id, R"({"name":"New"})", {{"If-Match", "\"1\""}});
    EXPECT_EQ(renamed.status, 200) << renamed.body;
    EXPECT_EQ(stack().log_size(), before + 1);
}

TEST_P(HttpEndToEnd, TwentyConcurrentCreatesOfOneSlugGiveExactlyOneSuccess) {
    const auto slug = unique("contested");
    std::atomic<int> created{0}, conflicts{0}, other{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 20; ++i) {
        threads.emplace_back([&, i] {
            const auto r = command(
                "POST", "/v1/tenants",
                R"({"name":"Contender )" + std::to_string(i) + R"(","slug":")" + slug + "\"}");
            (r.status == 201 ? created : r.status == 409 ? conflicts : other)++;
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(created.load(), 1);
    EXPECT_EQ(conflicts.load(), 19);
    EXPECT_EQ(other.load(), 0);
}

TEST_P(HttpEndToEnd, WriteModelIsRebuiltFromTheLogAfterACrash) {
    const auto slug = unique("durable");
    const auto tenant_id = create_tenant(slug);
    stack().command->kill_hard();  // the 201 came after the append was durable
    stack().start_command_service();

    auto duplicate = command("POST", "/v1/tenants", R"({"name":"Again","slug":")" + slug + "\"}");
    EXPECT_EQ(duplicate.status, 409) << duplicate.body;
    auto update = command("PATCH", "/v1/tenants/" + tenant_id, R"({"domain":"care.example.org"})",
                          {{"If-Match", "\"1\""}});
    EXPECT_EQ(update.status, 200) << update.body;
    EXPECT_EQ(update.json().at("version").as_int64(), 2);
}

// Issue 14 item 16: colleagues are shown by their account's name, email and
// avatar, read by a manager of the tenant; a deleted account shows none of them.
TEST_P(HttpEndToEnd, MembersCarryTheirAccountsNameEmailAndAvatarUntilItIsDeleted) {
    const auto tenant = "/v1/tenants/" + create_tenant(unique("colleagues"));
    const auto user_of = [&](const std::string& body) {
        const auto r = command("POST", "/v1/users", body);
        EXPECT_EQ(r.status, 201) << r.body;
        return r.status == 201 ? std::string(r.json().at("id").as_string()) : "";
    };
    const auto grant = [&](const std::string& user, const std::string& role) {
        const auto r = command("PUT", tenant + "/members/" + user, R"({"role":")" + role + "\"}");
        EXPECT_EQ(r.status, 201) << r.body;
        return r.status == 201 ? std::string(r.json().at("position").as_string()) : "";
    };
    const auto jane_email = unique("jane") + "@example.org";
    const auto jane =
        user_of(R"({"email":")" + jane_email +
                R"(","name":"Jane Doe","avatar_url":"https://cdn.example.org/j.png"})");
    const auto manager = user_of(R"({"email":")" + unique("manager") + R"(@example.org"})");
    grant(jane, "carer");
    const auto granted = grant(manager, "manager");
    const std::map<std::string, std::string> as_manager{
        {"Authorization", "Bearer " + stack().token_for(UserId(*Uuid::parse(manager)))}};
    const auto read = [&](const std::string& target, const std::string& position,
                          std::map<std::string, std::string> headers = {}) {
        headers.insert(as_manager.begin(), as_manager.end());
        return http_request(stack().query_port, "GET", target + "?min_position=" + position, "",
                            headers);
    };

    auto item = read(tenant + "/members/" + jane, granted);
    ASSERT_EQ(item.status, 200) << item.body;
    testing::expect_matches_openapi("query-service", "GET",
                                    "/v1/tenants/{tenant_id}/members/{user_id}", item.status,
                                    item.json());
    EXPECT_EQ(item.json().at("user_id").as_string(), jane);
    EXPECT_EQ(item.json().at("role").as_string(), "carer");
    EXPECT_EQ(item.json().at("name").as_string(), "Jane Doe");
    EXPECT_EQ(item.json().at("email").as_string(), jane_email);
    EXPECT_EQ(item.json().at("avatar_url").as_string(), "https://cdn.example.org/j.png");
    const auto etag = item.header("etag");
    EXPECT_EQ(etag, "\"1\"") << "the membership's version, the If-Match of its commands";

    const auto list = read(tenant + "/members", granted);
    ASSERT_EQ(list.status, 200) << list.body;
    testing::expect_matches_openapi("query-service", "GET", "/v1/tenants/{tenant_id}/members",
                                    list.status, list.json());
    std::map<std::string, boost::json::value> names;
    const auto page = list.json();
    for (const auto& member : page.at("items").as_array())
        names[std::string(member.at("user_id").as_string())] = member.at("name");
    EXPECT_EQ(names.at(jane), "Jane Doe");
    EXPECT_TRUE(names.at(manager).is_null()) << "an account without a name";

    // A renamed account shows at once, the membership's version unchanged:
    // the item is never 304 on that version.
    const auto renamed =
        command("PATCH", "/v1/users/" + jane, R"({"name":"Jane Smith"})", {{"If-Match", "\"1\""}});
    ASSERT_EQ(renamed.status, 200) << renamed.body;
    item = read(tenant + "/members/" + jane, std::string(renamed.json().at("position").as_string()),
                {{"If-None-Match", etag}});
    ASSERT_EQ(item.status, 200) << item.body;
    EXPECT_EQ(item.json().at("name").as_string(), "Jane Smith");
    EXPECT_EQ(item.header("etag"), etag);

    // A deleted account leaves the membership row and nothing of the person.
    const auto deleted = command("DELETE", "/v1/users/" + jane);
    ASSERT_EQ(deleted.status, 200) << deleted.body;
    item =
        read(tenant + "/members/" + jane, std::string(deleted.json().at("position").as_string()));
    ASSERT_EQ(item.status, 200) << item.body;
    testing::expect_matches_openapi("query-service", "GET",
                                    "/v1/tenants/{tenant_id}/members/{user_id}", item.status,
                                    item.json());
    for (const auto* field : {"name", "email", "avatar_url"})
        EXPECT_TRUE(item.json().at(field).is_null()) << field << ": " << item.body;
}

TEST_P(HttpEndToEnd, QueriesAnswer404ForUnknownIdsAndPaginateWithoutGapsOrRepeats) {
    EXPECT_EQ(query("/v1/tenants/" + Uuid::random_v4().to_string()).status, 404);
    EXPECT_EQ(query("/v1/tenants/not-a-uuid").status, 404);
    EXPECT_EQ(query("/v1/users/" + Uuid::random_v4().to_string()).status, 404);
    EXPECT_EQ(query("/v1/tenants/00000000-0000-0000-0000-000000000000").status, 404)
        << "the platform tenant is not a customer";
    EXPECT_EQ(query("/v1/tenants?limit=0").status, 400);

    std::set<std::string> mine;
    for (int i = 0; i < 5; ++i) mine.insert(create_tenant(unique("page")));
    for (const auto& id : mine) ASSERT_EQ(query_until_found("/v1/tenants/" + id).status, 200);

    std::vector<std::string> seen;
    std::string cursor;
    for (int page = 0; page < 100; ++page) {
        auto r = query("/v1/tenants?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
        ASSERT_EQ(r.status, 200) << r.body;
        const auto json = r.json();
        EXPECT_LE(json.at("items").as_array().size(), 2u);
        for (const auto& item : json.at("items").as_array())
            seen.emplace_back(item.at("id").as_string());
        if (json.at("next_cursor").is_null()) break;
        cursor = std::string(json.at("next_cursor").as_string());
    }
    const std::set<std::string> unique_seen(seen.begin(), seen.end());
    EXPECT_EQ(unique_seen.size(), seen.size()) << "no repeats";
    for (const auto& id : mine) EXPECT_TRUE(unique_seen.contains(id)) << "no gaps: " << id;
}

TEST_P(HttpEndToEnd, HealthAndMetricsNeedNoBody) {
    EXPECT_EQ(http_request(stack().command_port, "GET", "/healthz").status, 200);
    auto metrics = http_request(stack().query_port, "GET", "/metrics");
    EXPECT_EQ(metrics.status, 200);
    EXPECT_NE(metrics.body.find("http_requests_total"), std::string::npos);
    EXPECT_NE(http_request(stack().projector_port, "GET", "/metrics")
                  .body.find("projector_events_applied_total"),
              std::string::npos);
}

TEST_P(HttpEndToEnd, MetricsTellAppendsProjectorLagPoolsAndTheBuild) {
    const auto a = "/v1/tenants/" + create_tenant(unique("metrics"));
    auto created = command("POST", a + "/patients", R"({"first_name":"Ada","last_name":"Byron"})");
    ASSERT_EQ(created.status, 201) << created.body;
    const auto position =
        eventlog::Position::parse(std::string(created.json().at("position").as_string()));
    ASSERT_TRUE(position);
    ASSERT_EQ(query(a + "/patients?min_position=" + position->to_string()).status, 200);
    const auto page = [&](int port) { return http_request(port, "GET", "/metrics").body; };

    const auto commands = page(stack().command_port);
    EXPECT_GE(testing::metric_sample(commands, "eventlog_append_duration_seconds_count",
                                     {"outcome=\"ok\""})
                  .value_or(0),
              1);
    EXPECT_GE(testing::metric_sample(commands, "eventlog_append_records_sum", {"outcome=\"ok\""})
                  .value_or(0),
              1);

    const auto reads = page(stack().query_port);
    EXPECT_GE(
        testing::metric_sample(reads, "pg_pool_wait_seconds_count", {"pool=\"query\""}).value_or(0),
        1);
    EXPECT_GT(testing::metric_sample(reads, "pg_pool_capacity", {"pool=\"query\""}).value_or(0), 0);
    EXPECT_TRUE(
        testing::metric_sample(reads, "pg_pool_connections", {"pool=\"query\"", "state=\"idle\""}));

    // The projector has applied the patient; its lag is published once a second.
    const std::string partition = "partition=\"" + std::to_string(position->partition) + "\"";
    std::string applied;
    EXPECT_TRUE(testing::eventually([&] {
        applied = page(stack().projector_port);
        return testing::metric_sample(applied, "projector_lag_events", {partition}).has_value();
    })) << applied;
    EXPECT_GT(testing::metric_sample(applied, "projector_checkpoint", {partition}).value_or(0),
              static_cast<double>(position->offset));
    EXPECT_GE(testing::metric_sample(applied, "projector_event_delay_seconds_count").value_or(0),
              1);
    EXPECT_TRUE(testing::metric_sample(applied, "projector_lag_seconds", {partition}));

    for (const auto& [port, service] : {std::pair{stack().command_port, "command-service"},
                                        std::pair{stack().query_port, "query-service"},
                                        std::pair{stack().projector_port, "projector"}}) {
        const auto text = page(port);
        EXPECT_EQ(testing::metric_sample(text, "complexcare_build_info",
                                         {"service=\"" + std::string(service) + "\"", "commit=\""}),
                  1.0)
            << service;
        EXPECT_EQ(text.find("commit=\"\""), std::string::npos) << "a commit is named";
    }
}

std::string committed(const std::string& path) {
    std::ifstream in(std::string(CC_SOURCE_DIR) + "/" + path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// An ignored parameter would quietly answer something else than was asked
// (current data for a misspelt `as_of`, everything for a misspelt filter).
TEST_P(HttpEndToEnd, EveryReadRefusesAQueryParameterItDoesNotDeclare) {
    if (GetParam() == Backend::kafka)
        GTEST_SKIP() << "the read side is the same; one log is enough";
    const auto document = boost::json::parse(committed("openapi/query-service.json"));
    int walked = 0;
    for (const auto& [path, item] : document.at("paths").as_object()) {
        if (!path.starts_with("/v1/") || !item.as_object().contains("get")) continue;
        // Checked before the route's access rules: any ids will do.
        std::string target(path);
        for (auto open = target.find('{'); open != std::string::npos; open = target.find('{')) {
            target.replace(open, target.find('}', open) - open + 1, Uuid::random_v4().to_string());
        }
        const auto refused =
            http_request(stack().query_port, "GET", target + "?as_at=2026-01-01T00:00:00Z", "",
                         {{"Authorization", "Bearer " + stack().admin_token}});
        ASSERT_EQ(refused.status, 400) << path << ": " << refused.body;
        EXPECT_EQ(refused.json().at("type").as_string(),
                  "urn:complexcare:problem:unknown-query-parameter")
            << path;
        EXPECT_EQ(refused.json().at("errors").at(0).at("field").as_string(), "as_at") << path;
        testing::expect_matches_openapi("query-service", "GET", std::string(path), 400,
                                        refused.json());
        ++walked;
    }
    EXPECT_GT(walked, 30) << "every read of the contract";

    const auto a = "/v1/tenants/" + create_tenant(unique("params"));
    auto created = command("POST", a + "/patients", R"({"first_name":"Ada","last_name":"King"})");
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string position(created.json().at("position").as_string());
    EXPECT_EQ(query(a + "/patients?limit=1&min_position=" + position).status, 200)
        << "declared parameters are read as before";
    auto misspelt = query(a + "/patients?last_nam=King&min_position=" + position);
    EXPECT_EQ(misspelt.status, 400) << misspelt.body;
    EXPECT_EQ(misspelt.json().at("errors").at(0).at("field").as_string(), "last_nam");
}

TEST_P(HttpEndToEnd, OpenApiDocumentsAreTheCommittedFilesAndNeedNoToken) {
    for (const auto& [port, file] :
         {std::pair{stack().command_port, "openapi/command-service.json"},
          std::pair{stack().query_port, "openapi/query-service.json"}}) {
        const auto r = http_request(port, "GET", "/openapi.json");
        EXPECT_EQ(r.status, 200) << file;
        EXPECT_EQ(r.header("content-type"), "application/json") << file;
        EXPECT_TRUE(r.body == committed(file)) << file << " is served as committed";
    }
}

// The reverse of the services' start-up check (every route is documented):
// every documented operation reaches a handler, none answers as unrouted.
TEST_P(HttpEndToEnd, EveryDocumentedOperationIsRouted) {
    if (GetParam() != Backend::postgres) GTEST_SKIP() << "routing does not depend on the log";
    const auto before = stack().log_size();
    for (const auto& [port, file] :
         {std::pair{stack().command_port, "openapi/command-service.json"},
          std::pair{stack().query_port, "openapi/query-service.json"}}) {
        const auto doc = boost::json::parse(committed(file));
        for (const auto& path : doc.at("paths").as_object()) {
            // Unknown ids and empty bodies: each handler refuses, none appends.
            std::string target(path.key());
            for (auto open = target.find('{'); open != std::string::npos; open = target.find('{')) {
                target.replace(open, target.find('}', open) - open + 1,
                               Uuid::random_v4().to_string());
            }
            for (const auto& operation : path.value().as_object()) {
                std::string method(operation.key());
                for (auto& c : method)
                    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                const auto r = http_request(port, method, target, method == "GET" ? "" : "{}",
                                            with_token("", {{"Content-Type", "application/json"}}));
                EXPECT_NE(r.status, 405) << method << " " << path.key();
                EXPECT_EQ(r.body.find("route-not-found"), std::string::npos)
                    << method << " " << path.key() << ": " << r.body;
            }
        }
    }
    EXPECT_EQ(stack().log_size(), before);
}

CC_E2E_ON_EVERY_LOG(HttpEndToEnd);

}  // namespace
}  // namespace cc::e2e
