#include "platform/auth/jwks.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <memory>

#include "platform/core/json.hpp"
#include "platform/core/no_blocking.hpp"
#include "platform/observability/logger.hpp"

namespace cc::auth {
namespace {

Error invalid_key(std::string detail) {
    return Error::make(ErrorKind::invalid, "jwk-invalid", std::move(detail));
}

// RFC 4648 §5, without padding, as JWKs write numbers; anything else is refused.
std::optional<std::string> base64url_decode(std::string_view text) {
    const auto value_of = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '-') return 62;
        if (c == '_') return 63;
        return -1;
    };
    if (text.size() % 4 == 1) return std::nullopt;
    std::string out;
    std::uint32_t bits = 0;
    int count = 0;
    for (const char c : text) {
        const int value = value_of(c);
        if (value < 0) return std::nullopt;
        bits = (bits << 6) | static_cast<std::uint32_t>(value);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out.push_back(static_cast<char>((bits >> count) & 0xff));
        }
    }
    return out;
}

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using BigNum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ParamBuilder = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using KeyContext = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

BigNum big_number(const std::string& bytes) {
    return BigNum(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()), nullptr));
}

std::optional<std::string> string_field(const boost::json::object& key, std::string_view name) {
    const auto* value = key.if_contains(name);
    if (value == nullptr || !value->is_string()) return std::nullopt;
    return std::string(value->as_string());
}

}  // namespace

Result<std::string> rsa_public_key_pem(std::string_view n, std::string_view e) {
    const auto modulus = base64url_decode(n);
    const auto exponent = base64url_decode(e);
    if (!modulus || !exponent) return invalid_key("n and e must be base64url");
    // Leading zero octets are not part of the number (RFC 7518 §2 forbids
    // them, some providers send them): the size check is on the value.
    const BigNum n_value = big_number(*modulus);
    const BigNum e_value = big_number(*exponent);
    if (!n_value || !e_value) return invalid_key("n and e must be numbers");
    if (BN_num_bits(n_value.get()) < 2048) return invalid_key("an RSA key needs 2048 bits or more");
    if (BN_is_zero(e_value.get()) || !BN_is_odd(e_value.get()) || BN_is_one(e_value.get())) {
        return invalid_key("e is not an RSA public exponent");
    }

    const ParamBuilder builder(OSSL_PARAM_BLD_new());
    if (!builder || !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n_value.get()) ||
        !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e_value.get())) {
        return invalid_key("cannot build the key's parameters");
    }
    const Params params(OSSL_PARAM_BLD_to_param(builder.get()));
    const KeyContext context(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !context || EVP_PKEY_fromdata_init(context.get()) <= 0 ||
        EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
        return invalid_key("OpenSSL refuses the key");
    }
    const Key key(raw);
    const Bio pem(BIO_new(BIO_s_mem()));
    if (!pem || PEM_write_bio_PUBKEY(pem.get(), key.get()) != 1) {
        return invalid_key("cannot write the key as PEM");
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(pem.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

Result<std::vector<Jwk>> rs256_keys_of(std::string_view document) {
    auto parsed = json::parse_object(document);
    if (!parsed) return invalid_key("the key set is not a JSON object");
    const auto* keys = parsed->if_contains("keys");
    if (keys == nullptr || !keys->is_array()) return invalid_key("the key set has no keys array");
    std::vector<Jwk> out;
    for (const auto& entry : keys->as_array()) {
        if (!entry.is_object()) return invalid_key("a key is not a JSON object");
        const auto& key = entry.as_object();
        const auto use = string_field(key, "use");
        const auto alg = string_field(key, "alg");
        if (string_field(key, "kty") != "RSA" || (use && *use != "sig") ||
            (alg && *alg != "RS256")) {
            continue;
        }
        const auto n = string_field(key, "n");
        const auto e = string_field(key, "e");
        if (!n || !e) return invalid_key("an RSA key needs n and e");
        auto pem = rsa_public_key_pem(*n, *e);
        if (!pem) return std::move(pem).error();
        out.push_back({string_field(key, "kid"), std::move(*pem)});
    }
    return out;
}

bool is_trusted_key_url(std::string_view url) {
    const std::unique_ptr<CURLU, Deleter<CURLU, curl_url_cleanup>> parsed(curl_url());
    if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, std::string(url).c_str(), 0) != 0) {
        return false;
    }
    const auto part = [&](CURLUPart which) {
        char* text = nullptr;
        if (curl_url_get(parsed.get(), which, &text, 0) != CURLUE_OK) return std::string();
        std::string out(text);
        curl_free(text);
        return out;
    };
    const auto scheme = part(CURLUPART_SCHEME);
    if (scheme == "https") return true;
    const auto host = part(CURLUPART_HOST);
    in_addr v4{};
    const bool loopback_v4 =
        inet_pton(AF_INET, host.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
    return scheme == "http" && (loopback_v4 || host == "localhost" || host == "[::1]");
}

Fetch http_fetch(std::chrono::milliseconds timeout) {
    static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    return [timeout](const std::string& url) -> Result<std::string> {
        const auto failed = [&](const std::string& why) {
            return Error::make(ErrorKind::unavailable, "jwks-unavailable", why);
        };
        if (!initialised) return failed("libcurl could not start");
        const std::unique_ptr<CURL, Deleter<CURL, curl_easy_cleanup>> curl(curl_easy_init());
        if (!curl) return failed("libcurl could not start");
        constexpr std::size_t kLimit = 1 << 20;
        std::string body;
        const curl_write_callback write = [](char* data, std::size_t size, std::size_t count,
                                             void* sink) -> std::size_t {
            auto& out = *static_cast<std::string*>(sink);
            // A short count makes libcurl stop with CURLE_WRITE_ERROR.
            if (out.size() + size * count > kLimit) return 0;
            out.append(data, size * count);
            return size * count;
        };
        auto* handle = curl.get();
        curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
        curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
        curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM
        curl_easy_setopt(handle, CURLOPT_USERAGENT, "complexcare");
        curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, write);
        curl_easy_setopt(handle, CURLOPT_WRITEDATA, &body);
        if (const auto code = curl_easy_perform(handle); code != CURLE_OK) {
            return failed(curl_easy_strerror(code));
        }
        long status = 0;
        curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
        if (status != 200) return failed("answered " + std::to_string(status));
        return body;
    };
}

JwksKeys::JwksKeys(std::string url, std::chrono::seconds refresh_interval, Fetch fetch)
    : url_(std::move(url)), refresh_interval_(refresh_interval), fetch_(std::move(fetch)) {}

std::vector<std::string> JwksKeys::cached(const std::optional<std::string>& kid) const {
    std::vector<std::string> out;
    for (const auto& key : keys_) {
        if (!kid || key.kid == kid) out.push_back(key.pem);
    }
    return out;
}

bool JwksKeys::may_fetch(std::chrono::steady_clock::time_point now) const {
    return !last_fetch_ || now - *last_fetch_ >= refresh_interval_;
}

std::vector<std::string> JwksKeys::keys_for(const std::optional<std::string>& kid) {
    {
        const std::lock_guard lock(mutex_);
        auto keys = cached(kid);
        if (!keys.empty() || !may_fetch(std::chrono::steady_clock::now())) return keys;
    }
    // A thread that must not block leaves the fetch (and the wait for
    // another's) to one that may.
    if (NoBlocking::declines()) return {};
    const std::lock_guard one_fetch(fetching_);
    {
        // Another thread may have fetched while this one waited.
        const std::lock_guard lock(mutex_);
        auto keys = cached(kid);
        const auto now = std::chrono::steady_clock::now();
        if (!keys.empty() || !may_fetch(now)) return keys;
        last_fetch_ = now;  // a failed fetch counts too: a provider that is down is not hammered
    }
    auto document = fetch_(url_);
    auto keys = document ? rs256_keys_of(*document) : Result<std::vector<Jwk>>(document.error());
    const std::lock_guard lock(mutex_);
    if (keys) {
        keys_ = std::move(*keys);
        obs::info("jwks fetched", {{"url", url_}, {"keys", keys_.size()}});
    } else {
        obs::warn("jwks fetch failed; the cached keys stay",
                  {{"url", url_}, {"error", keys.error().detail}});
    }
    return cached(kid);
}

}  // namespace cc::auth
