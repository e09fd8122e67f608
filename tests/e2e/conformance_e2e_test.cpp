// HTTP conformance as a hostile client tries it, on raw sockets where a
// well-behaved client library would refuse: media types, conditional
// requests (RFC 9110 §13), malformed requests that must be answered, HEAD.
// The HTTP layer is the same whatever the log, so one stack serves.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/process.hpp"
#include "tests/support/stack.hpp"

namespace cc::e2e {
namespace {

using testing::http_request;
using testing::HttpResponse;
using testing::raw_exchange;

class Conformance : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        auto& s = stack();
        const auto tenant = http_request(s.command_port, "POST", "/v1/tenants",
                                         R"({"name":"C","slug":"conformance"})", auth());
        ASSERT_EQ(tenant.status, 201) << tenant.body;
        tenant_path = "/v1/tenants/" + std::string(tenant.json().at("id").as_string());
        // Its records are its members' to touch, not the platform operator's.
        member_token =
            s.token_for(*s.tenant_admin(std::string(tenant.json().at("id").as_string())));
        const auto position = std::string(tenant.json().at("position").as_string());
        ASSERT_TRUE(testing::eventually([&] {
            return http_request(s.query_port, "GET", tenant_path + "?min_position=" + position, "",
                                auth())
                       .status == 200;
        }));
    }
    static void TearDownTestSuite() { testing::stacks().clear(); }
    static testing::Stack& stack() { return testing::stack_for(eventlog::Backend::postgres); }
    static std::map<std::string, std::string> auth(std::map<std::string, std::string> more = {}) {
        more["Authorization"] =
            "Bearer " + (member_token.empty() ? stack().admin_token : member_token);
        return more;
    }
    // A raw request to the command service, with the token; returns the status line.
    static std::string raw_command(const std::string& head_lines, const std::string& body = "") {
        const auto raw = raw_exchange(stack().command_port,
                                      "POST " + tenant_path +
                                          "/patients HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                          "Authorization: Bearer " +
                                          member_token + "\r\n" + head_lines + "Content-Length: " +
                                          std::to_string(body.size()) + "\r\n\r\n" + body);
        return raw.substr(0, raw.find("\r\n"));
    }
    static int status_of(const std::string& raw) {
        return raw.size() >= 12 ? std::stoi(raw.substr(9, 3)) : 0;
    }
    static inline std::string tenant_path, member_token;
};

TEST_F(Conformance, OnlyJsonBodiesAreReadAndOthersGet415AppendingNothing) {
    const std::string body = R"({"first_name":"A","last_name":"B"})";
    const auto before = stack().log_size();
    for (const auto* refused :
         {"", "Content-Type: application/jsonx\r\n",
          "Content-Type: application/json-patch+json\r\n", "Content-Type: text/plain\r\n",
          "Content-Type: application/json; charset=latin1\r\n", "Content-Type: json\r\n"}) {
        EXPECT_EQ(status_of(raw_command(refused, body)), 415) << refused;
    }
    EXPECT_EQ(stack().log_size(), before) << "a refused body appends nothing";
    for (const auto* accepted :
         {"Content-Type: APPLICATION/JSON\r\n", "Content-Type: application/json;charset=UTF-8\r\n",
          "Content-Type: Application/Json ; charset=\"utf-8\"\r\n"}) {
        EXPECT_EQ(status_of(raw_command(accepted, body)), 201) << accepted;
    }
    const auto problem = http_request(stack().command_port, "POST", tenant_path + "/patients", body,
                                      auth({{"Content-Type", "text/csv"}}));
    EXPECT_EQ(problem.status, 415);
    EXPECT_EQ(problem.json().at("type"), "urn:complexcare:problem:unsupported-media-type");
    EXPECT_EQ(problem.header("content-type"), "application/problem+json");
}

TEST_F(Conformance, IfMatchUsesStrongComparison) {
    auto& s = stack();
    const auto created = http_request(s.command_port, "POST", tenant_path + "/patients",
                                      R"({"first_name":"I","last_name":"M"})", auth());
    ASSERT_EQ(created.status, 201);
    const auto item = tenant_path + "/patients/" + std::string(created.json().at("id").as_string());
    const auto before = s.log_size();
    // "01" names version 1 by value, not character for character (found by fuzz/).
    for (const auto* stale : {"W/\"1\"", "\"2\"", "\"abc\"", "W/\"1\", W/\"2\"", "\"01\""}) {
        const auto r = http_request(s.command_port, "PATCH", item, R"({"first_name":"X"})",
                                    auth({{"If-Match", stale}}));
        EXPECT_EQ(r.status, 412) << stale << ": " << r.body;
    }
    EXPECT_EQ(http_request(s.command_port, "PATCH", item, R"({"first_name":"X"})",
                           auth({{"If-Match", "1"}}))
                  .status,
              400)
        << "an unquoted version is no entity tag";
    EXPECT_EQ(s.log_size(), before);
    EXPECT_EQ(http_request(s.command_port, "PATCH", item, R"({"first_name":"Y"})",
                           auth({{"If-Match", "W/\"7\", \"1\""}}))
                  .status,
              200)
        << "a list matches when one strong tag does";
    EXPECT_EQ(http_request(s.command_port, "PATCH", item, R"({"first_name":"Z"})",
                           auth({{"If-Match", "*"}}))
                  .status,
              200)
        << "* matches any current version";
}

TEST_F(Conformance, IfNoneMatchUsesWeakComparisonListsAndStar) {
    auto& s = stack();
    const auto created = http_request(s.command_port, "POST", tenant_path + "/patients",
                                      R"({"first_name":"N","last_name":"M"})", auth());
    ASSERT_EQ(created.status, 201);
    const auto item = tenant_path + "/patients/" +
                      std::string(created.json().at("id").as_string()) +
                      "?min_position=" + std::string(created.json().at("position").as_string());
    for (const auto* matching : {"\"1\"", "W/\"1\"", "*", "\"999\", \"1\"", "W/\"5\",W/\"1\""}) {
        const auto r =
            http_request(s.query_port, "GET", item, "", auth({{"If-None-Match", matching}}));
        EXPECT_EQ(r.status, 304) << matching;
        EXPECT_EQ(r.header("etag"), "\"1\"") << matching;
        EXPECT_TRUE(r.body.empty()) << matching;
    }
    for (const auto* other : {"\"2\"", "W/\"2\", \"3\"", "garbage"}) {
        EXPECT_EQ(
            http_request(s.query_port, "GET", item, "", auth({{"If-None-Match", other}})).status,
            200)
            << other;
    }
}

TEST_F(Conformance, MalformedRequestsAreAnsweredWithTheRightStatusAndClosed) {
    for (const int port : {stack().command_port, stack().query_port}) {
        const std::string ok = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
        struct Case {
            const char* why;
            std::string bytes;
            int status;
        };
        const std::vector<Case> cases{
            {"HTTP/9.9", "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n", 505},
            {"oversized target", "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n",
             414},
            {"oversized header", ok + "X-Big: " + std::string(20000, 'b') + "\r\n\r\n", 431},
            {"bad request line", "GET\r\n\r\n", 400},
            {"bad chunk size",
             "POST /v1/tenants HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
             400},
            {"space in the target", "GET /a b/c HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        };
        for (const auto& c : cases) {
            const auto raw = raw_exchange(port, c.bytes);
            EXPECT_EQ(status_of(raw), c.status)
                << c.why << " on " << port << ": " << raw.substr(0, 80);
            EXPECT_NE(raw.find("application/problem+json"), std::string::npos) << c.why;
            EXPECT_NE(raw.find("Connection: close"), std::string::npos) << c.why;
        }
    }
}

TEST_F(Conformance, HeadIsServedWhereverGetIs) {
    auto& s = stack();
    const auto get = http_request(s.query_port, "GET", tenant_path, "", auth());
    ASSERT_EQ(get.status, 200);
    const auto raw = raw_exchange(s.query_port, "HEAD " + tenant_path +
                                                    " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                                    "Authorization: Bearer " +
                                                    member_token + "\r\n\r\n");
    EXPECT_EQ(status_of(raw), 200) << raw;
    EXPECT_NE(raw.find("Content-Length: " + std::to_string(get.body.size())), std::string::npos)
        << raw;
    EXPECT_EQ(raw.substr(raw.find("\r\n\r\n") + 4), "") << "no body";
    EXPECT_NE(raw.find("ETag: " + get.header("etag")), std::string::npos) << raw;
    EXPECT_EQ(
        status_of(raw_exchange(s.command_port,
                               "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")),
        200);
    // Where there is no GET, HEAD is not allowed either, and Allow says what is.
    const auto refused = raw_exchange(s.command_port, "HEAD " + tenant_path +
                                                          "/patients HTTP/1.1\r\nHost: x\r\n"
                                                          "Connection: close\r\nAuthorization: "
                                                          "Bearer " +
                                                          member_token + "\r\n\r\n");
    EXPECT_EQ(status_of(refused), 405) << refused;
    const auto allow = http_request(s.query_port, "POST", tenant_path, "{}", auth());
    EXPECT_EQ(allow.status, 405);
    EXPECT_EQ(allow.header("allow"), "GET, HEAD");
}

// One JSON line per request at info: method, route (never the path's other
// ids), status, duration, request id, tenant and user; never a token or body.
TEST_F(Conformance, EveryRequestIsOneAccessLogLineWithoutSecrets) {
    auto& s = stack();
    const int port = testing::free_port();
    auto service = s.start("query-service/query-service", port, {{"CC_LOG_LEVEL", "info"}});
    ASSERT_TRUE(testing::wait_until_ready(port, "/readyz", 60000));
    const auto request_id = "access-log-" + std::to_string(::getpid());
    const auto r = http_request(port, "GET", tenant_path + "/patients?limit=1", "",
                                auth({{"X-Request-Id", request_id}}));
    ASSERT_EQ(r.status, 200) << r.body;
    service->terminate();  // its log is complete once it has stopped

    std::ifstream file(s.log_file());
    std::stringstream all;
    all << file.rdbuf();
    const auto text = all.str();
    EXPECT_EQ(text.find(member_token), std::string::npos) << "no token is ever logged";
    int lines = 0;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.find(request_id) == std::string::npos) continue;
        ++lines;
        const auto json = boost::json::parse(line).as_object();
        EXPECT_EQ(json.at("level"), "info");
        EXPECT_EQ(json.at("msg"), "request");
        EXPECT_EQ(json.at("method"), "GET");
        EXPECT_EQ(json.at("route"), "/v1/tenants/{tenant_id}/patients");
        EXPECT_EQ(json.at("status"), 200);
        EXPECT_EQ(json.at("tenant_id").as_string(),
                  tenant_path.substr(std::string("/v1/tenants/").size()));
        EXPECT_EQ(
            json.at("user_id").as_string(),
            s.tenant_admin(tenant_path.substr(std::string("/v1/tenants/").size()))->to_string());
        EXPECT_TRUE(json.contains("ms"));
        EXPECT_FALSE(json.contains("path")) << "the route, not the path";
    }
    EXPECT_EQ(lines, 1) << "one line per request";
}

TEST_F(Conformance, AnUnknownLogLevelRefusesToStart) {
    auto env = stack().env;
    env["CC_LOG_LEVEL"] = "verbose";
    env["CC_HTTP_PORT"] = std::to_string(testing::free_port());
    testing::Process service(testing::binary("query-service/query-service"), env,
                             stack().log_file());
    ASSERT_TRUE(testing::eventually([&] { return !service.running(); }));
    EXPECT_EQ(service.exit_status(), 2);
}

}  // namespace
}  // namespace cc::e2e
