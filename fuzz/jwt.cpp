// Bearer token verification (platform/auth/token.cpp over cpp-jwt), with
// an HS256 secret and an RS256 public key configured.
//
// An input's first byte picks how the rest becomes a token:
//   0: the rest is the token, as a client sends it;
//   1: "<header JSON>\n<claims JSON>", signed HS256 with the configured secret;
//   2: the same signed with another secret;
//   3: the same signed HS256 with the configured RS256 public key as the
//      secret (algorithm confusion);
//   4: the same signed RS256 with the configured key pair's private key.
// Signing here is OpenSSL's, not cpp-jwt's, so the oracle is independent.
//
// Properties: a token is accepted only when its signature is the
// configured key's over its first two parts and its header names that
// key's algorithm; then its claims are what the configuration asks (exp
// present and not past, iss, aud, sub a UUID, the admin flag a boolean
// true or a configured admin). A refusal is a 401 with a stable type.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz/support.hpp"
#include "platform/auth/token.hpp"
#include "platform/core/json.hpp"

namespace cc::fuzz {
namespace {

const std::string kSecret = "a-fuzz-secret-that-is-long-enough-for-hs256";
const std::string kOtherSecret = "another-secret-that-is-long-enough-for-hs256";
constexpr std::uint32_t kLeeway = 30;

std::string base64url(std::string_view bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(bytes[at]); };
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
        out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63],
                kAlphabet[n & 63]};
    }
    if (bytes.size() - i == 1) {
        const unsigned n = byte(i) << 16;
        out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63]};
    } else if (bytes.size() - i == 2) {
        const unsigned n = (byte(i) << 16) | (byte(i + 1) << 8);
        out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63]};
    }
    return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &length);
    return std::string(reinterpret_cast<const char*>(mac), length);
}

// A key pair for this target alone, fixed so that a crash found with mode 4
// replays (1024 bits: signing is most of that mode's time).
constexpr const char* kPrivateKey =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIICdwIBADANBgkqhkiG9w0BAQEFAASCAmEwggJdAgEAAoGBANLb8xP661RyA3rB\n"
    "ESmcmaEVRK/oQq3wTtdn7RIbkPyH1OG+wcLUyafByzLvGWPgM/syZkd2fRDa69vV\n"
    "3fDGYQV6WeTHb1hACCXDzfvI8g37ChozDA4oKG3rfw0vJ9h1qG3xrJumrNacrrXP\n"
    "rat0P9ME5olkLQX7q6d9nclCooSHAgMBAAECgYBP0uhgxfrUyxy6GeDPafNW4eBQ\n"
    "35JumqyeKz+6PSlUEG/szfQ4N6nnkhvEunNYNgY3sEq7/wU1nkrvvDT6837Cja6I\n"
    "tOdwGb2EOMMUeT/sDRiYj98qNj2nTmp4DjqfzoV8FnhSny9VqG2BHHBww067jF4U\n"
    "7nD7GNdM9KbMP6qRsQJBAPsyM2fhHCuPGPvcNFnN5B7YiSmzH77IZG4Roye08DRR\n"
    "MGV27KBo6j2mPOZrT1CB+QsYZqK7XZBHIJJCUgqQq/MCQQDW5ESvUMSPU/H91Z4d\n"
    "pG2+rR9yTyYItqzZt7j6e140HrBu9otZNIpJahGVRZuu3Bijduk8QTUVALVvb4Py\n"
    "eU4dAkBORIIH5/gjCl86eo5FPQXLJqT2PT2y8DV6pjwz7wi5BGMT+k4YXRg/RUDM\n"
    "ersn1peGgX/ZTJAGmGLpr4hoilNJAkEAosvB4RMOJgsRbByWMZys62QaS638gWNq\n"
    "5XGS+GfXwSJyxU2P2d+818s8UNqwC7OAEu512YkI3sVvrmFME7ikXQJBAIWhr93N\n"
    "hJMMCbFzLUo4aYvBm5A9MQ5yrxoY2h9z0RlOHBeYG/Pkelc/9BwhIAeCrqcjK2pf\n"
    "5HPSoxG6SfbkUvw=\n"
    "-----END PRIVATE KEY-----\n";

struct Keys {
    EVP_PKEY* pair = nullptr;
    std::string public_pem;

    Keys() {
        BIO* in = BIO_new_mem_buf(kPrivateKey, -1);
        pair = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
        BIO_free(in);
        BIO* bio = BIO_new(BIO_s_mem());
        PEM_write_bio_PUBKEY(bio, pair);
        char* data = nullptr;
        const long size = BIO_get_mem_data(bio, &data);
        public_pem.assign(data, static_cast<std::size_t>(size));
        BIO_free(bio);
    }
    ~Keys() { EVP_PKEY_free(pair); }
    Keys(const Keys&) = delete;
    Keys& operator=(const Keys&) = delete;

    std::string sign_rs256(std::string_view data) const {
        EVP_MD_CTX* context = EVP_MD_CTX_new();
        std::size_t length = 0;
        std::string signature;
        if (EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, pair) == 1 &&
            EVP_DigestSign(context, nullptr, &length,
                           reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1) {
            signature.resize(length);
            EVP_DigestSign(context, reinterpret_cast<unsigned char*>(signature.data()), &length,
                           reinterpret_cast<const unsigned char*>(data.data()), data.size());
            signature.resize(length);
        }
        EVP_MD_CTX_free(context);
        return signature;
    }
    bool verifies_rs256(std::string_view data, std::string_view signature) const {
        EVP_MD_CTX* context = EVP_MD_CTX_new();
        const bool ok =
            EVP_DigestVerifyInit(context, nullptr, EVP_sha256(), nullptr, pair) == 1 &&
            EVP_DigestVerify(context, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                             data.size()) == 1;
        EVP_MD_CTX_free(context);
        return ok;
    }
};

const Keys& keys() {
    static const Keys instance;
    return instance;
}

const auth::TokenVerifier& verifier() {
    static const auth::TokenVerifier instance = [] {
        auth::AuthConfig config;
        config.hs256_secret = kSecret;
        config.rs256_public_keys = {keys().public_pem};
        config.leeway_seconds = kLeeway;
        config.platform_admins = {*UserId::parse("7e1a0000-0000-4000-8000-00000000000a")};
        return auth::TokenVerifier(config);
    }();
    return instance;
}

// Decodes base64url without padding, strictly: nullopt for anything else.
std::optional<std::string> decode(std::string_view text) {
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : text) {
        int v = -1;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        if (c >= '0' && c <= '9') v = c - '0' + 52;
        if (c == '-') v = 62;
        if (c == '_') v = 63;
        if (v < 0) return std::nullopt;
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
        }
    }
    return out;
}

// What must hold of a token the verifier accepted.
void check_accepted(std::string_view token, const auth::Claims& claims) {
    const auto first = token.find('.');
    const auto last = token.rfind('.');
    require(first != std::string_view::npos && first != last, "an accepted token has three parts",
            token);
    const auto signed_part = token.substr(0, last);
    const auto signature = token.substr(last + 1);
    const auto header = decode(token.substr(0, first));
    require(header.has_value(), "an accepted token's header is base64url", token);
    const auto header_json = json::parse_object(*header);
    require(header_json.ok(), "an accepted token's header is a JSON object", *header);
    const auto algorithm = json::string_at(*header_json, "alg").value_or("");
    if (algorithm == "HS256") {
        require(signature == base64url(hmac_sha256(kSecret, signed_part)),
                "an accepted HS256 token is signed with the configured secret", token);
    } else {
        const auto bytes = decode(signature);
        require(algorithm == "RS256" && bytes && keys().verifies_rs256(signed_part, *bytes),
                "an accepted token is RS256 signed with the configured key", token);
    }
    const auto payload = decode(token.substr(first + 1, last - first - 1));
    require(payload.has_value(), "an accepted token's claims are base64url", token);
    const auto claims_json = json::parse_object(*payload);
    // cpp-jwt reads claims with its own JSON parser: ours must agree they are JSON.
    if (!claims_json) return;
    const auto* exp = json::find(*claims_json, "exp");
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    require(exp != nullptr && exp->is_number() && exp->to_number<double>() + kLeeway >= now - 5,
            "an accepted token has an exp not past", *payload);
    require(json::string_at(*claims_json, "iss") == "complexcare",
            "an accepted token names the configured issuer", *payload);
    // A UUID reads in either case (RFC 9562 §4): the subject is the id it names.
    require(UserId::parse(json::string_at(*claims_json, "sub").value_or("")) == claims.subject,
            "an accepted token's subject is its sub", *payload);
    if (claims.platform_admin && !verifier().is_configured_admin(claims.subject)) {
        const auto* flag = json::find(*claims_json, "complexcare_platform_admin");
        require(flag != nullptr && flag->is_bool() && flag->as_bool(),
                "only a true admin claim or the configuration makes an administrator", *payload);
    }
}

std::string signed_token(std::uint8_t mode, std::string_view rest) {
    const auto newline = rest.find('\n');
    const auto header = rest.substr(0, newline);
    const auto claims = newline == std::string_view::npos ? "" : rest.substr(newline + 1);
    const auto signed_part = base64url(header) + "." + base64url(claims);
    switch (mode) {
        case 1:
            return signed_part + "." + base64url(hmac_sha256(kSecret, signed_part));
        case 2:
            return signed_part + "." + base64url(hmac_sha256(kOtherSecret, signed_part));
        case 3:
            return signed_part + "." + base64url(hmac_sha256(keys().public_pem, signed_part));
        default:
            return signed_part + "." + base64url(keys().sign_rs256(signed_part));
    }
}

}  // namespace
}  // namespace cc::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    cc::fuzz::verifier();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cc;
    using namespace cc::fuzz;
    if (size == 0) return 0;
    const std::uint8_t mode = data[0] % 5;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::string token = mode == 0 ? std::string(rest) : signed_token(mode, rest);
    const auto claims = verifier().verify_header("Bearer " + token);
    if (!claims) {
        const auto& type = claims.error().type;
        require(
            claims.error().kind == ErrorKind::unauthorized &&
                (type == "token-malformed" || type == "token-invalid" || type == "token-expired" ||
                 type == "token-not-yet-valid" || type == "token-missing"),
            "a refused token is a 401 with a stable type", type);
        return 0;
    }
    require(mode != 2 && mode != 3, "a token signed with another key is never accepted", token);
    check_accepted(token, *claims);
    return 0;
}
