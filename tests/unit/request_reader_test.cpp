// Reading requests from bytes as the server reads them from a connection
// (platform/http/request_reader.hpp), and problem answers that stay JSON
// whatever the client sent.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "platform/core/text.hpp"
#include "platform/http/request_reader.hpp"

namespace cc::http {
namespace {

ServerOptions options() {
    ServerOptions o;
    o.body_limit = 100;
    return o;
}

TEST(RequestReader, ReadsARequestWholeWhateverTheChunking) {
    const std::string bytes =
        "POST /v1/a%20b/c?x=1&y=%C3%A9&z HTTP/1.1\r\nHost: h\r\nX-Request-Id: id-1\r\n"
        "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n";
    for (std::size_t chunk : {1, 7, 65536}) {
        auto outcome = read_request(bytes, options(), chunk);
        ASSERT_TRUE(outcome.request) << chunk << ": " << outcome.error.message();
        const auto& r = *outcome.request;
        EXPECT_EQ(r.method, "POST");
        EXPECT_EQ(r.path, "/v1/a b/c");
        EXPECT_EQ(r.query_param("y"), "\xC3\xA9");
        EXPECT_EQ(r.query_param("z"), "");
        EXPECT_EQ(r.body, "abcde");
        EXPECT_EQ(r.request_id, "id-1");
        // The next pipelined request starts where this one ended.
        EXPECT_EQ(bytes.substr(outcome.consumed), "GET / HTTP/1.1\r\n\r\n");
    }
}

TEST(RequestReader, RefusesWhatItCannotServeWithTheRightStatus) {
    const std::string long_target = "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n";
    const std::string many_headers =
        "GET / HTTP/1.1\r\nX-A: " + std::string(17000, 'a') + "\r\n\r\n";
    const struct {
        std::string bytes;
        int status;
        std::string type;
    } cases[] = {
        {"GET / HTTP/9.9\r\n\r\n", 505, "http-version-not-supported"},
        {"GET / HTTP/2.0\r\n\r\n", 505, "http-version-not-supported"},
        {"GET /a b HTTP/1.1\r\n\r\n", 400, "malformed-request"},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "malformed-request"},
        {"POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", 413, "payload-too-large"},
        {long_target, 414, "uri-too-long"},
        {many_headers, 431, "headers-too-large"},
    };
    for (const auto& c : cases) {
        const auto outcome = read_request(c.bytes, options());
        ASSERT_TRUE(outcome.refusal) << c.bytes.substr(0, 40) << ": " << outcome.error.message();
        EXPECT_EQ(outcome.refusal->status, c.status) << c.bytes.substr(0, 40);
        EXPECT_EQ(outcome.refusal->type, c.type) << c.bytes.substr(0, 40);
        EXPECT_FALSE(outcome.request);
    }
}

TEST(RequestReader, ACutShortRequestClosesWithoutAnAnswer) {
    for (const std::string bytes :
         {"", "GET / HTTP/1.1\r\nHost:", "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab"}) {
        const auto outcome = read_request(bytes, options());
        EXPECT_FALSE(outcome.request);
        EXPECT_FALSE(outcome.refusal);
        EXPECT_TRUE(is_ordinary_disconnect(outcome.error)) << outcome.error.message();
    }
}

// Found by fuzz/http_request.cpp: a problem repeating a Content-Type or a
// percent-decoded path that is not UTF-8 was not JSON.
TEST(Problem, StaysJsonWhateverTheClientSent) {
    Request request;
    request.path = "/v1/\xFF\xC3";
    request.request_id = "r";
    Error error = Error::make(ErrorKind::unsupported_media_type, "unsupported-media-type",
                              "not application/jso\xE9; charset=utf-8");
    error.fields.push_back({"Content-Type", "unsupported", error.detail});
    const auto response = Response::problem(error, request);
    boost::json::error_code ec;
    const auto body = boost::json::parse(response.body, ec);
    ASSERT_FALSE(ec) << response.body;
    EXPECT_EQ(body.at("instance").as_string(), "/v1/\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Text, ValidUtf8KeepsWellFormedTextAndReplacesTheRest) {
    EXPECT_EQ(valid_utf8("plain \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
              "plain \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    const std::string replacement = "\xEF\xBF\xBD";
    EXPECT_EQ(valid_utf8("\xC0\xAF"), replacement + replacement);                    // overlong '/'
    EXPECT_EQ(valid_utf8("\xED\xA0\x80"), replacement + replacement + replacement);  // surrogate
    EXPECT_EQ(valid_utf8("\xF4\x90\x80\x80"),
              replacement + replacement + replacement + replacement);
    EXPECT_EQ(valid_utf8("a\xE2\x82"), "a" + replacement + replacement);  // cut short
}

}  // namespace
}  // namespace cc::http
