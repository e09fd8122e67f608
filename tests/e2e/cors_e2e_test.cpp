// Browser clients from the configured origins (Stack::cors_origins) against
// both services: preflights answer without a token, every actual answer
// carries the CORS headers, and any other origin is granted nothing.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <map>
#include <string>

#include "platform/core/uuid.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/stack.hpp"

namespace cc::e2e {
namespace {

using testing::http_request;
using testing::HttpResponse;

const std::string kApp = "https://app.example.org";
const std::string kDev = "http://localhost:5173";
const std::string kEvil = "https://evil.example.com";

// Sends `head` as it is (the test client would add a body to match its
// Content-Length) and reads the answer until the server closes.
std::string exchange_raw(int port, const std::string& head) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string answer;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::send(fd, head.data(), head.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(head.size())) {
        char buffer[4096];
        for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;)
            answer.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return answer;
}

class Cors : public ::testing::Test {
  protected:
    static void TearDownTestSuite() { testing::stacks().clear(); }

    static testing::Stack& stack() { return testing::stack_for(eventlog::Backend::postgres); }

    static HttpResponse preflight(int port, const std::string& path, const std::string& origin,
                                  const std::string& method) {
        return http_request(port, "OPTIONS", path, "",
                            {{"Origin", origin},
                             {"Access-Control-Request-Method", method},
                             {"Access-Control-Request-Headers", "authorization,if-match"}});
    }
    static HttpResponse from(int port, const std::string& origin, const std::string& method,
                             const std::string& path, const std::string& body = "",
                             bool with_token = true) {
        std::map<std::string, std::string> headers{{"Origin", origin}};
        if (with_token) headers["Authorization"] = "Bearer " + stack().token_for_target(path);
        return http_request(port, method, path, body, headers);
    }

    static void expect_granted_preflight(const HttpResponse& r, const std::string& origin,
                                         const std::string& methods) {
        EXPECT_EQ(r.status, 204) << r.body;
        EXPECT_EQ(r.header("access-control-allow-origin"), origin);
        EXPECT_EQ(r.header("vary"), "Origin");
        EXPECT_EQ(r.header("access-control-allow-methods"), methods);
        const auto allowed = r.header("access-control-allow-headers");
        for (const char* name :
             {"Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key",
              "X-Request-Id", "X-Correlation-Id", "X-Min-Position"}) {
            EXPECT_NE(allowed.find(name), std::string::npos) << name;
        }
        EXPECT_FALSE(r.header("access-control-max-age").empty());
        EXPECT_TRUE(r.header("www-authenticate").empty()) << "a preflight needs no token";
    }
    static void expect_granted(const HttpResponse& r, const std::string& origin) {
        EXPECT_EQ(r.header("access-control-allow-origin"), origin) << r.status << " " << r.body;
        EXPECT_EQ(r.header("vary"), "Origin");
        EXPECT_EQ(r.header("access-control-expose-headers"),
                  "ETag, X-Min-Position, Idempotent-Replayed, Location, Retry-After, X-Request-Id");
    }
    static void expect_not_granted(const HttpResponse& r) {
        EXPECT_TRUE(r.header("access-control-allow-origin").empty()) << r.status;
        EXPECT_TRUE(r.header("access-control-allow-methods").empty());
        EXPECT_TRUE(r.header("access-control-expose-headers").empty());
        EXPECT_EQ(r.header("vary"), "Origin") << "the answer still depends on Origin";
    }
};

TEST_F(Cors, CommandServiceGrantsConfiguredOriginsAndStillAuthenticates) {
    const int port = stack().command_port;
    const std::string some_tenant = "/v1/tenants/" + Uuid::random_v4().to_string();

    expect_granted_preflight(preflight(port, some_tenant, kApp, "PATCH"), kApp, "PATCH, DELETE");
    expect_granted_preflight(preflight(port, "/v1/tenants", kDev, "POST"), kDev, "POST");

    auto created = from(port, kApp, "POST", "/v1/tenants", R"({"name":"Cors","slug":"cors-cmd"})");
    ASSERT_EQ(created.status, 201) << created.body;
    expect_granted(created, kApp);
    EXPECT_EQ(created.header("etag"), "\"1\"");

    auto anonymous =
        from(port, kApp, "POST", "/v1/tenants", R"({"name":"X","slug":"cors-x"})", false);
    EXPECT_EQ(anonymous.status, 401) << "authentication applies to the real request";
    EXPECT_EQ(anonymous.header("content-type"), "application/problem+json");
    expect_granted(anonymous, kApp);

    auto plain_options = http_request(port, "OPTIONS", some_tenant, "", {{"Origin", kApp}});
    EXPECT_EQ(plain_options.status, 401) << "an OPTIONS that is no preflight is a request";
    expect_granted(plain_options, kApp);

    auto missing = from(port, kApp, "DELETE", some_tenant);
    EXPECT_EQ(missing.status, 404);
    expect_granted(missing, kApp);
}

TEST_F(Cors, QueryServiceGrantsConfiguredOriginsAndStillAuthenticates) {
    const int port = stack().query_port;
    auto created = from(stack().command_port, kApp, "POST", "/v1/tenants",
                        R"({"name":"Cors","slug":"cors-query"})");
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string tenant = "/v1/tenants/" + std::string(created.json().at("id").as_string());

    expect_granted_preflight(preflight(port, tenant, kApp, "GET"), kApp, "GET, HEAD");
    expect_granted_preflight(preflight(port, tenant + "/patients", kDev, "GET"), kDev, "GET, HEAD");

    HttpResponse read;
    EXPECT_TRUE(testing::eventually([&] {
        read = from(port, kDev, "GET", tenant);
        return read.status == 200;
    }));
    expect_granted(read, kDev);
    EXPECT_EQ(read.header("etag"), "\"1\"");

    auto anonymous = from(port, kApp, "GET", tenant, "", false);
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_EQ(anonymous.header("content-type"), "application/problem+json");
    expect_granted(anonymous, kApp);

    auto unknown = from(port, kApp, "GET", "/v1/no-such-thing");
    EXPECT_EQ(unknown.status, 404);
    expect_granted(unknown, kApp);

    // Answered on the I/O threads, yet through the same CORS decoration.
    expect_granted(from(port, kApp, "GET", "/healthz", "", false), kApp);
}

TEST_F(Cors, OtherOriginsAreGrantedNothingOnEitherService) {
    for (const int port : {stack().command_port, stack().query_port}) {
        auto refused = preflight(port, "/v1/tenants", kEvil, "GET");
        EXPECT_EQ(refused.status, 204) << "not a 401: the preflight carries no token";
        expect_not_granted(refused);
        expect_not_granted(
            preflight(port, "/v1/tenants", "https://app.example.org.evil.test", "GET"));
        expect_not_granted(preflight(port, "/v1/tenants", "http://app.example.org", "GET"));

        // The server answers (it cannot know the caller is a browser); the
        // browser withholds the answer from the page for want of a grant.
        auto answered = from(port, kEvil, "GET", "/v1/tenants");
        EXPECT_NE(answered.status, 401) << answered.body;
        expect_not_granted(answered);
    }
    auto no_origin = http_request(stack().query_port, "GET", "/healthz");
    EXPECT_TRUE(no_origin.header("access-control-allow-origin").empty());
}

TEST_F(Cors, TheServersOwnRefusalsCarryTheGrantToo) {
    // Refused from the header alone (1 MiB limit), before any handler runs.
    const auto answer = exchange_raw(stack().command_port,
                                     "POST /v1/tenants HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                     "Origin: " +
                                         kApp +
                                         "\r\nX-Request-Id: too-big-1\r\n"
                                         "Content-Type: application/json\r\n"
                                         "Content-Length: 5000000\r\n\r\n");
    EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
    EXPECT_NE(answer.find("Access-Control-Allow-Origin: " + kApp + "\r\n"), std::string::npos)
        << answer;
    EXPECT_NE(answer.find("X-Request-Id: too-big-1\r\n"), std::string::npos) << answer;
    EXPECT_NE(answer.find("payload-too-large"), std::string::npos) << answer;

    const auto garbage = exchange_raw(stack().query_port, "NOT HTTP AT ALL\r\n\r\n");
    EXPECT_EQ(garbage.rfind("HTTP/1.1 400", 0), 0u) << garbage;
}

}  // namespace
}  // namespace cc::e2e
