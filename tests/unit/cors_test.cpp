#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

#include "platform/http/cors.hpp"

namespace cc::http {
namespace {

std::map<std::string, std::string> as_map(const HeaderList& headers) {
    std::map<std::string, std::string> out;
    for (const auto& [name, value] : headers) {
        EXPECT_FALSE(out.contains(name)) << "sent twice: " << name;
        out[name] = value;
    }
    return out;
}

const CorsPolicy kPolicy = CorsPolicy::parse(" https://app.example.org, http://localhost:5173 ,");

TEST(Cors, ParsesTrimsAndLowerCasesOrigins) {
    EXPECT_EQ(kPolicy.origins(),
              (std::vector<std::string>{"https://app.example.org", "http://localhost:5173"}));
    EXPECT_TRUE(CorsPolicy::parse("HTTPS://App.Example.org").allows("https://app.example.org"));
    EXPECT_TRUE(CorsPolicy::parse("capacitor://localhost").enabled());
    EXPECT_TRUE(CorsPolicy::parse("http://[::1]:8080").allows("http://[::1]:8080"));
    EXPECT_FALSE(CorsPolicy::parse("").enabled());
    EXPECT_FALSE(CorsPolicy::parse(" , ").enabled());
}

TEST(Cors, RefusesEntriesThatCouldNeverMatchAnOrigin) {
    for (const char* bad : {"*", "null", "app.example.org", "https://app.example.org/",
                            "https://app.example.org/path", "https://", "https://*.example.org",
                            "https://app.example.org:port", "://app.example.org"}) {
        EXPECT_THROW(CorsPolicy::parse(bad), std::invalid_argument) << bad;
    }
}

TEST(Cors, MatchesOriginsExactly) {
    EXPECT_TRUE(kPolicy.allows("https://app.example.org"));
    EXPECT_FALSE(kPolicy.allows("http://app.example.org")) << "scheme matters";
    EXPECT_FALSE(kPolicy.allows("https://app.example.org:443"));
    EXPECT_FALSE(kPolicy.allows("https://app.example.org.evil.test"));
    EXPECT_FALSE(kPolicy.allows("http://localhost:5174"));
    EXPECT_FALSE(kPolicy.allows(""));
}

TEST(Cors, APreflightNeedsOptionsOriginAndRequestMethod) {
    EXPECT_TRUE(CorsPolicy::is_preflight("OPTIONS", "https://a.test", "PATCH"));
    EXPECT_FALSE(CorsPolicy::is_preflight("OPTIONS", "https://a.test", std::nullopt));
    EXPECT_FALSE(CorsPolicy::is_preflight("OPTIONS", std::nullopt, "PATCH"));
    EXPECT_FALSE(CorsPolicy::is_preflight("GET", "https://a.test", "PATCH"));
}

TEST(Cors, PreflightOfAnAllowedOriginEchoesItWithThePathsMethods) {
    const auto headers =
        as_map(kPolicy.preflight_headers("http://localhost:5173", {"PATCH", "DELETE"}));
    EXPECT_EQ(headers.at("Access-Control-Allow-Origin"), "http://localhost:5173");
    EXPECT_EQ(headers.at("Vary"), "Origin");
    EXPECT_EQ(headers.at("Access-Control-Allow-Methods"), "PATCH, DELETE");
    EXPECT_EQ(headers.at("Access-Control-Max-Age"), "600");
    const auto& allowed = headers.at("Access-Control-Allow-Headers");
    for (const char* name :
         {"Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key",
          "X-Request-Id", "X-Correlation-Id", "X-Min-Position"}) {
        EXPECT_NE(allowed.find(name), std::string::npos) << name;
    }
}

TEST(Cors, PreflightOfAnotherOriginGetsNoCorsGrant) {
    const auto headers = as_map(kPolicy.preflight_headers("https://evil.test", {"GET"}));
    EXPECT_EQ(headers, (std::map<std::string, std::string>{{"Vary", "Origin"}}));
    EXPECT_TRUE(CorsPolicy().preflight_headers("https://app.example.org", {"GET"}).empty())
        << "CORS off: no CORS headers at all";
}

TEST(Cors, ResponsesToAnAllowedOriginExposeTheApiHeaders) {
    const auto headers = as_map(kPolicy.response_headers("https://app.example.org"));
    EXPECT_EQ(headers.at("Access-Control-Allow-Origin"), "https://app.example.org");
    EXPECT_EQ(headers.at("Vary"), "Origin");
    EXPECT_EQ(headers.at("Access-Control-Expose-Headers"),
              "ETag, X-Min-Position, Idempotent-Replayed, Location, Retry-After, X-Request-Id");
    EXPECT_FALSE(headers.contains("Access-Control-Allow-Methods"));
}

TEST(Cors, ResponsesVaryOnOriginWheneverCorsIsOn) {
    EXPECT_EQ(as_map(kPolicy.response_headers(std::nullopt)),
              (std::map<std::string, std::string>{{"Vary", "Origin"}}));
    EXPECT_EQ(as_map(kPolicy.response_headers("https://evil.test")),
              (std::map<std::string, std::string>{{"Vary", "Origin"}}));
    EXPECT_TRUE(CorsPolicy().response_headers("https://app.example.org").empty());
}

TEST(Cors, MergingKeepsOneVaryHeader) {
    HeaderList headers{{"Content-Type", "application/json"}, {"vary", "Accept-Encoding"}};
    merge_headers(headers, kPolicy.response_headers("https://app.example.org"));
    const auto merged = as_map(headers);
    EXPECT_EQ(merged.at("vary"), "Accept-Encoding, Origin");
    EXPECT_FALSE(merged.contains("Vary"));
    EXPECT_EQ(merged.at("Access-Control-Allow-Origin"), "https://app.example.org");
}

}  // namespace
}  // namespace cc::http
