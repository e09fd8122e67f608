#include "platform/auth/token.hpp"

#include <jwt/jwt.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "platform/config/env.hpp"
#include "platform/core/json.hpp"

namespace cc::auth {
namespace {

constexpr const char* kAdminClaim = "complexcare_platform_admin";

Error unauthorized(std::string type, std::string detail) {
    return Error::make(ErrorKind::unauthorized, std::move(type), std::move(detail));
}

struct Header {
    std::string algorithm;
    std::optional<std::string> kid;  // which of the issuer's keys signed it
};

// The header's "alg" and "kid", read before any verification so that the
// key kind follows from configuration, not from what the token asks for.
std::optional<Header> header_of(std::string_view token) {
    const auto dot = token.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    std::string decoded;
    try {
        decoded = jwt::base64_uri_decode(token.data(), dot);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    auto header = json::parse_object(decoded);
    if (!header) return std::nullopt;
    auto algorithm = json::string_at(*header, "alg");
    if (!algorithm) return std::nullopt;
    return Header{std::move(*algorithm), json::string_at(*header, "kid")};
}

// cpp-jwt converts exp, nbf and iat to an unsigned 64-bit integer, which is
// undefined for a negative or huge number (found by fuzz/jwt.cpp): each
// must be a NumericDate (RFC 7519 §2) up to the year 9999. The claims must
// also be a JSON object by our parser, which refuses a claim named twice
// (two "sub"s would mean whichever a reader takes).
std::optional<Error> claims_problem(std::string_view token) {
    const auto first = token.find('.');
    const auto last = token.rfind('.');
    std::string decoded;
    try {
        decoded = jwt::base64_uri_decode(token.data() + first + 1, last - first - 1);
    } catch (const std::exception&) {
        return unauthorized("token-malformed", "the token's claims cannot be decoded");
    }
    const auto claims = json::parse_object(decoded);
    if (!claims) return unauthorized("token-malformed", "the token's claims are not a JSON object");
    constexpr double kLastSecond = 253402300799;  // 9999-12-31T23:59:59Z
    for (const char* name : {"exp", "nbf", "iat"}) {
        const auto* value = json::find(*claims, name);
        if (value == nullptr) continue;
        const double seconds = value->is_number() ? value->to_number<double>() : -1;
        if (!(seconds >= 0 && seconds <= kLastSecond)) {
            return unauthorized("token-invalid", std::string(name) + " must be a NumericDate");
        }
    }
    return std::nullopt;
}

// A compact JWS is three base64url parts joined by dots (RFC 7515 §7.1),
// unpadded. Anything else is refused before cpp-jwt reads it: its base64
// decoder indexes a 256-entry table with each char as a size_t, so a byte
// over 0x7F reads far outside the table (found by fuzz/jwt.cpp).
bool is_compact_jws(std::string_view token) {
    int dots = 0;
    for (const char c : token) {
        if (c == '.') {
            ++dots;
        } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_')) {
            return false;
        }
    }
    return dots == 2;
}

std::vector<std::string> split_pem_bundle(const std::string& text) {
    std::vector<std::string> keys;
    const std::string end_marker = "-----END PUBLIC KEY-----";
    std::size_t start = 0;
    while (true) {
        const auto begin = text.find("-----BEGIN PUBLIC KEY-----", start);
        if (begin == std::string::npos) break;
        const auto end = text.find(end_marker, begin);
        if (end == std::string::npos) break;
        keys.push_back(text.substr(begin, end + end_marker.size() - begin) + "\n");
        start = end + end_marker.size();
    }
    return keys;
}

}  // namespace

AuthConfig AuthConfig::from_env() {
    AuthConfig config;
    config.hs256_secret = config::env_or("CC_JWT_SECRET", "");
    if (const auto file = config::env_or("CC_JWT_PUBLIC_KEYS_FILE", ""); !file.empty()) {
        std::ifstream in(file);
        if (!in) throw std::invalid_argument("cannot read CC_JWT_PUBLIC_KEYS_FILE");
        std::ostringstream text;
        text << in.rdbuf();
        config.rs256_public_keys = split_pem_bundle(text.str());
    }
    config.jwks_url = config::env_or("CC_JWT_JWKS_URL", "");
    if (!config.jwks_url.empty() && !is_trusted_key_url(config.jwks_url)) {
        throw std::invalid_argument(
            "CC_JWT_JWKS_URL must be https://, or http:// to a loopback host");
    }
    const auto refresh = config::env_int("CC_JWT_JWKS_REFRESH_SECONDS", 60);
    if (refresh < 0) throw std::invalid_argument("CC_JWT_JWKS_REFRESH_SECONDS must be 0 or more");
    config.jwks_refresh_interval = std::chrono::seconds(refresh);
    if (config.hs256_secret.empty() && config.rs256_public_keys.empty() &&
        config.jwks_url.empty()) {
        throw std::invalid_argument(
            "set CC_JWT_SECRET, CC_JWT_PUBLIC_KEYS_FILE and/or CC_JWT_JWKS_URL");
    }
    if (!config.hs256_secret.empty() && config.hs256_secret.size() < 32) {
        throw std::invalid_argument("CC_JWT_SECRET must be at least 32 characters");
    }
    config.issuer = config::env_or("CC_JWT_ISSUER", config.issuer);
    config.audience = config::env_or("CC_JWT_AUDIENCE", config.audience);
    config.leeway_seconds =
        static_cast<std::uint32_t>(config::env_int("CC_JWT_LEEWAY_SECONDS", 30));
    std::stringstream admins(config::env_or("CC_PLATFORM_ADMINS", ""));
    for (std::string id; std::getline(admins, id, ',');) {
        if (id.empty()) continue;
        auto parsed = UserId::parse(id);
        if (!parsed)
            throw std::invalid_argument("CC_PLATFORM_ADMINS holds a value that is not a UUID");
        config.platform_admins.push_back(*parsed);
    }
    return config;
}

TokenVerifier::TokenVerifier(AuthConfig config, Fetch fetch) : config_(std::move(config)) {
    if (config_.jwks_url.empty()) return;
    // A provider that does not answer within this holds one worker, once
    // per refresh interval at most.
    constexpr std::chrono::seconds kFetchTimeout{5};
    jwks_ = std::make_shared<JwksKeys>(config_.jwks_url, config_.jwks_refresh_interval,
                                       fetch ? std::move(fetch) : http_fetch(kFetchTimeout));
}

bool TokenVerifier::is_configured_admin(const UserId& user) const {
    return std::find(config_.platform_admins.begin(), config_.platform_admins.end(), user) !=
           config_.platform_admins.end();
}

Result<Claims> TokenVerifier::verify_header(const std::optional<std::string>& authorization) const {
    if (!authorization) return unauthorized("token-missing", "send Authorization: Bearer <token>");
    constexpr std::string_view scheme = "Bearer ";
    if (authorization->size() <= scheme.size() ||
        !std::equal(scheme.begin(), scheme.end(), authorization->begin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
        return unauthorized("token-malformed", "the Authorization header must be Bearer <token>");
    }
    return verify(std::string_view(*authorization).substr(scheme.size()));
}

Result<Claims> TokenVerifier::verify(std::string_view token) const {
    if (!is_compact_jws(token)) return unauthorized("token-malformed", "the token is not a JWT");
    const auto header = header_of(token);
    if (!header) return unauthorized("token-malformed", "the token is not a JWT");
    if (auto problem = claims_problem(token)) return std::move(*problem);
    const std::string& algorithm = header->algorithm;

    std::vector<std::string> keys;
    if (algorithm == "HS256" && !config_.hs256_secret.empty()) {
        keys.push_back(config_.hs256_secret);
    } else if (algorithm == "RS256") {
        keys = config_.rs256_public_keys;
        if (jwks_) {
            auto issued = jwks_->keys_for(header->kid);
            keys.insert(keys.end(), issued.begin(), issued.end());
            if (keys.empty()) {
                return unauthorized("token-invalid",
                                    "no key of the issuer matches the token's kid");
            }
        }
    }
    if (keys.empty()) return unauthorized("token-invalid", "the token's algorithm is not accepted");

    std::error_code first_error;
    for (const auto& key : keys) {
        std::error_code ec;
        jwt::jwt_object decoded;
        try {
            decoded =
                jwt::decode(jwt::string_view(token.data(), token.size()),
                            jwt::params::algorithms({algorithm}), ec, jwt::params::secret(key),
                            jwt::params::issuer(config_.issuer), jwt::params::aud(config_.audience),
                            jwt::params::leeway(config_.leeway_seconds), jwt::params::verify(true));
        } catch (const std::exception&) {
            return unauthorized("token-malformed", "the token cannot be decoded");
        }
        if (ec) {
            if (!first_error || ec == jwt::VerificationErrc::TokenExpired ||
                ec == jwt::VerificationErrc::ImmatureSignature) {
                first_error = ec;
            }
            continue;
        }
        const auto& payload = decoded.payload();
        // exp is optional in the JWT spec, not here: a token must end.
        if (!payload.has_claim("exp")) return unauthorized("token-invalid", "the token has no exp");
        if (!payload.has_claim("iss") || !payload.has_claim("aud")) {
            return unauthorized("token-invalid", "the token must name its issuer and audience");
        }
        std::optional<UserId> subject;
        // cpp-jwt reads a missing claim out of bounds (nlohmann's const
        // operator[]): ask first (found by fuzz/jwt.cpp).
        try {
            if (payload.has_claim("sub")) {
                subject = UserId::parse(payload.get_claim_value<std::string>("sub"));
            }
        } catch (const std::exception&) {
        }
        if (!subject) return unauthorized("token-invalid", "sub must be a user id");
        Claims claims{*subject, is_configured_admin(*subject)};
        try {
            if (payload.has_claim(kAdminClaim) && payload.get_claim_value<bool>(kAdminClaim)) {
                claims.platform_admin = true;
            }
        } catch (const std::exception&) {
            return unauthorized("token-invalid", std::string(kAdminClaim) + " must be a boolean");
        }
        return claims;
    }
    if (first_error == jwt::VerificationErrc::TokenExpired) {
        return unauthorized("token-expired", "the token has expired");
    }
    if (first_error == jwt::VerificationErrc::ImmatureSignature) {
        return unauthorized("token-not-yet-valid", "the token is not valid yet (nbf)");
    }
    if (first_error.category() ==
        jwt::make_error_code(jwt::DecodeErrc::SignatureFormatError).category()) {
        return unauthorized("token-malformed", "the token cannot be decoded");
    }
    return unauthorized("token-invalid",
                        "the token's signature, issuer or audience is not accepted");
}

std::string mint_hs256(const AuthConfig& config, const UserId& subject, std::chrono::seconds ttl,
                       bool platform_admin) {
    const auto now = std::chrono::system_clock::now();
    jwt::jwt_object token{jwt::params::algorithm("HS256"),
                          jwt::params::secret(config.hs256_secret)};
    token.add_claim("iss", config.issuer)
        .add_claim("aud", config.audience)
        .add_claim("sub", subject.to_string())
        .add_claim("iat", now)
        .add_claim("nbf", now)
        .add_claim("exp", now + ttl);
    if (platform_admin) token.add_claim(kAdminClaim, true);
    return token.signature();
}

}  // namespace cc::auth
