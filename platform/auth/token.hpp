#pragma once
// Bearer JWT verification: HS256 with a configured secret, RS256 with
// configured public keys or an OpenID Connect provider's JWKS (jwks.hpp).
// The algorithm a token claims picks the key kind, never the other way round,
// and "none" is never accepted.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/auth/jwks.hpp"
#include "platform/core/result.hpp"
#include "platform/core/uuid.hpp"

namespace cc::auth {

struct AuthConfig {
    std::string hs256_secret;                    // CC_JWT_SECRET
    std::vector<std::string> rs256_public_keys;  // PEM, from CC_JWT_PUBLIC_KEYS_FILE
    // RS256 keys from a provider's JWKS (CC_JWT_JWKS_URL: https, or http to
    // a loopback host), fetched again for an unknown kid at most once per
    // CC_JWT_JWKS_REFRESH_SECONDS.
    std::string jwks_url;
    std::chrono::seconds jwks_refresh_interval{60};
    std::string issuer = "complexcare";        // CC_JWT_ISSUER
    std::string audience = "complexcare-api";  // CC_JWT_AUDIENCE
    std::uint32_t leeway_seconds = 30;         // clock skew allowed on exp/nbf
    // Platform administrators by user id (CC_PLATFORM_ADMINS, comma-separated).
    // The command service registers any of them that has no account yet, at
    // start-up, so the first tenant and user can be created.
    std::vector<UserId> platform_admins;

    // Throws std::invalid_argument when no key is configured or a value is bad.
    static AuthConfig from_env();
};

struct Claims {
    UserId subject;
    bool platform_admin = false;  // configured id, or the complexcare_platform_admin claim
};

class TokenVerifier {
  public:
    // `fetch` reads the JWKS document (http_fetch when empty).
    explicit TokenVerifier(AuthConfig config, Fetch fetch = {});
    // 401-kind errors with a stable type: token-missing, token-malformed,
    // token-expired, token-not-yet-valid, token-invalid (signature, issuer,
    // audience, algorithm).
    Result<Claims> verify(std::string_view token) const;
    // Reads "Authorization: Bearer <token>".
    Result<Claims> verify_header(const std::optional<std::string>& authorization) const;
    bool is_configured_admin(const UserId& user) const;
    const AuthConfig& config() const { return config_; }

  private:
    AuthConfig config_;
    // Shared by copies of the verifier, and used from every worker thread.
    std::shared_ptr<JwksKeys> jwks_;
};

// A development token signed with the HS256 secret (complexcare token, tests).
std::string mint_hs256(const AuthConfig& config, const UserId& subject, std::chrono::seconds ttl,
                       bool platform_admin = false);

}  // namespace cc::auth
