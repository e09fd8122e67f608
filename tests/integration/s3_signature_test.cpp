// What s3rver does not check: that the S3 adapter's requests carry AWS
// Signature Version 4 signatures that S3 would accept. A loopback listener
// records each request as it arrived on the wire (and answers as S3 would,
// so the adapter goes on), and the test signs it again by the published
// algorithm (canonical request, string to sign, HMAC key chain), with the
// secret the adapter was given, and compares.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "platform/blob/s3_store.hpp"
#include "platform/core/hash.hpp"

namespace cc::blob {
namespace {

struct Recorded {
    std::string method, path, query;
    std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
    std::string body;

    std::string header(std::string_view name) const {
        for (const auto& [n, v] : headers)
            if (n == name) return v;
        return {};
    }
};

// Accepts connections one at a time, records each request and answers it
// with what the test queued for it.
class Recorder {
  public:
    explicit Recorder(std::vector<std::string> answers) : answers_(std::move(answers)) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
        ::listen(listener_, 8);
        socklen_t length = sizeof address;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~Recorder() {
        ::shutdown(listener_, SHUT_RDWR);
        ::close(listener_);
        thread_.join();
    }
    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::vector<Recorded> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

  private:
    void serve() {
        for (const auto& answer : answers_) {
            const int fd = ::accept(listener_, nullptr, nullptr);
            if (fd < 0) return;
            std::string raw;
            Recorded current;
            char buffer[8192];
            std::size_t head_end = std::string::npos;
            std::size_t wanted = 0;
            for (;;) {
                if (head_end == std::string::npos &&
                    (head_end = raw.find("\r\n\r\n")) != std::string::npos) {
                    current = parse(raw.substr(0, head_end));
                    const auto length = current.header("content-length");
                    wanted = head_end + 4 + (length.empty() ? 0 : std::stoul(length));
                    if (current.header("expect") == "100-continue") {
                        const std::string go = "HTTP/1.1 100 Continue\r\n\r\n";
                        ::send(fd, go.data(), go.size(), MSG_NOSIGNAL);
                    }
                }
                if (head_end != std::string::npos && raw.size() >= wanted) break;
                const auto n = ::recv(fd, buffer, sizeof buffer, 0);
                if (n <= 0) break;
                raw.append(buffer, static_cast<std::size_t>(n));
            }
            if (head_end != std::string::npos) {
                current.body = raw.substr(head_end + 4);
                std::lock_guard lock(mutex_);
                requests_.push_back(std::move(current));
            }
            ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
            ::close(fd);
        }
    }

    static Recorded parse(const std::string& head) {
        Recorded r;
        const auto line_end = head.find("\r\n");
        const auto request_line = head.substr(0, line_end);
        const auto first = request_line.find(' ');
        const auto last = request_line.rfind(' ');
        r.method = request_line.substr(0, first);
        const auto target = request_line.substr(first + 1, last - first - 1);
        const auto question = target.find('?');
        r.path = target.substr(0, question);
        if (question != std::string::npos) r.query = target.substr(question + 1);
        for (auto at = line_end + 2; at < head.size();) {
            auto end = head.find("\r\n", at);
            if (end == std::string::npos) end = head.size();
            const auto line = head.substr(at, end - at);
            const auto colon = line.find(':');
            std::string name = line.substr(0, colon);
            std::transform(name.begin(), name.end(), name.begin(), ::tolower);
            auto value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            r.headers.emplace_back(name, value);
            at = end + 2;
        }
        return r;
    }

    std::vector<std::string> answers_;
    mutable std::mutex mutex_;
    std::vector<Recorded> requests_;
    int listener_ = -1;
    int port_ = 0;
    std::thread thread_;
};

std::string hex(const unsigned char* bytes, std::size_t n) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        out += kHex[bytes[i] >> 4];
        out += kHex[bytes[i] & 0xF];
    }
    return out;
}

std::string hmac(const std::string& key, const std::string& data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length);
    return std::string(reinterpret_cast<char*>(out), length);
}

// RFC 3986 as SigV4 wants it: unreserved characters as they are, the rest %XX.
std::string encode(const std::string& text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        }
    }
    return out;
}

std::string decode(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

// What S3 does with the query it received: each name and value decoded,
// encoded again, sorted by name.
std::string canonical_query(const std::string& query) {
    std::vector<std::pair<std::string, std::string>> params;
    for (std::size_t at = 0; at < query.size();) {
        auto end = query.find('&', at);
        if (end == std::string::npos) end = query.size();
        const auto pair = query.substr(at, end - at);
        const auto equals = pair.find('=');
        params.emplace_back(
            encode(decode(pair.substr(0, equals))),
            equals == std::string::npos ? "" : encode(decode(pair.substr(equals + 1))));
        at = end + 1;
    }
    std::sort(params.begin(), params.end());
    std::string out;
    for (const auto& [name, value] : params) out += (out.empty() ? "" : "&") + name + "=" + value;
    return out;
}

// The signature S3 computes for `r` with `secret`, and the one `r` carries.
struct Signatures {
    std::string expected, sent, signed_headers;
};

Signatures resign(const Recorded& r, const std::string& secret) {
    // AWS4-HMAC-SHA256 Credential=<id>/<date>/<region>/s3/aws4_request, SignedHeaders=a;b,
    // Signature=<hex>
    const auto authorization = r.header("authorization");
    const auto field = [&](const std::string& name) {
        const auto at = authorization.find(name + "=");
        if (at == std::string::npos) return std::string();
        const auto from = at + name.size() + 1;
        return authorization.substr(from, authorization.find(',', from) - from);
    };
    const auto credential = field("Credential");
    const auto scope = credential.substr(credential.find('/') + 1);
    const auto signed_headers = field("SignedHeaders");
    std::string canonical_headers;
    for (std::size_t at = 0; at <= signed_headers.size();) {
        auto end = signed_headers.find(';', at);
        if (end == std::string::npos) end = signed_headers.size();
        const auto name = signed_headers.substr(at, end - at);
        canonical_headers += name + ":" + r.header(name) + "\n";
        at = end + 1;
    }
    const auto canonical_request = r.method + "\n" + r.path + "\n" + canonical_query(r.query) +
                                   "\n" + canonical_headers + "\n" + signed_headers + "\n" +
                                   r.header("x-amz-content-sha256");
    const auto date = r.header("x-amz-date");
    const auto string_to_sign =
        "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n" + sha256_hex(canonical_request);
    // scope: <date>/<region>/s3/aws4_request
    std::vector<std::string> parts;
    for (std::size_t at = 0; at <= scope.size();) {
        auto end = scope.find('/', at);
        if (end == std::string::npos) end = scope.size();
        parts.push_back(scope.substr(at, end - at));
        at = end + 1;
    }
    auto key = hmac("AWS4" + secret, parts.at(0));
    key = hmac(key, parts.at(1));
    key = hmac(key, parts.at(2));
    key = hmac(key, parts.at(3));
    const auto signature = hmac(key, string_to_sign);
    return {hex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size()),
            authorization.substr(authorization.find("Signature=") + 10), signed_headers};
}

std::string answer(int status, const std::string& reason, const std::string& headers,
                   const std::string& body) {
    return "HTTP/1.1 " + std::to_string(status) + " " + reason +
           "\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
           headers + "\r\n" + body;
}

TEST(S3Signature, EveryRequestIsSignedAsS3WouldSignItWithThePayloadHashAmongTheHeaders) {
    const std::string bytes = "a blob's bytes";
    const auto key = key_for_digest(sha256_hex(bytes));
    // A continuation token with the characters a query must encode.
    const std::string token = "1/a+b=c==";
    const auto page = [](const std::string& next, const std::string& truncated) {
        return "<?xml version=\"1.0\"?><ListBucketResult><IsTruncated>" + truncated +
               "</IsTruncated>" + next + "</ListBucketResult>";
    };
    Recorder recorder({
        answer(200, "OK", "", ""),
        answer(206, "Partial Content", "Content-Range: bytes 2-5/14\r\n", bytes.substr(2, 4)),
        answer(200, "OK", "",
               page("<NextContinuationToken>" + token + "</NextContinuationToken>", "true")),
        answer(200, "OK", "", page("", "false")),
        answer(204, "No Content", "", ""),
    });
    S3Config config;
    config.endpoint = recorder.endpoint();
    config.bucket = "documents";
    config.region = "eu-west-2";
    config.access_key_id = "AKIDEXAMPLE";
    config.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    S3Store store(config);
    ASSERT_TRUE(store.put(key, bytes).ok());
    auto reader = store.open_range(key, 2, 4);
    ASSERT_TRUE(reader.ok()) << reader.error().detail;
    std::vector<char> got(16);
    ASSERT_EQ(*(*reader)->read(got), 4u);
    reader->reset();
    ASSERT_TRUE(store.list().ok());
    ASSERT_TRUE(store.remove(key).ok());

    const auto requests = recorder.requests();
    ASSERT_EQ(requests.size(), 5u);
    EXPECT_EQ(requests[0].method, "PUT");
    EXPECT_EQ(requests[0].body, bytes);
    EXPECT_EQ(requests[0].header("x-amz-content-sha256"), sha256_hex(bytes))
        << "S3 checks the bytes against the signed hash";
    EXPECT_EQ(requests[1].header("range"), "bytes=2-5");
    EXPECT_EQ(decode(requests[3].query.substr(requests[3].query.find("continuation-token=") + 19,
                                              encode(token).size())),
              token);
    for (const auto& r : requests) {
        const auto signatures = resign(r, config.secret_access_key);
        EXPECT_EQ(signatures.sent, signatures.expected)
            << r.method << " " << r.path << "?" << r.query;
        EXPECT_NE(signatures.signed_headers.find("x-amz-content-sha256"), std::string::npos)
            << signatures.signed_headers;
        EXPECT_NE(r.header("authorization").find("/eu-west-2/s3/aws4_request"), std::string::npos);
    }
}

}  // namespace
}  // namespace cc::blob
