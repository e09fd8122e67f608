#pragma once
// Bearer JWT verification: HS256 with a configured secret, RS256 with
// configured public keys (so an OpenID Connect provider can issue tokens).
// The algorithm a token claims picks the key kind, never the other way round,
// and "none" is never accepted.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/core/result.hpp"
#include "platform/core/uuid.hpp"

namespace cc::auth {

struct AuthConfig {
    std::string hs256_secret;                    // CC_JWT_SECRET
    std::vector<std::string> rs256_public_keys;  // PEM, from CC_JWT_PUBLIC_KEYS_FILE
    std::string issuer = "complexcare";          // CC_JWT_ISSUER
    std::string audience = "complexcare-api";    // CC_JWT_AUDIENCE
    std::uint32_t leeway_seconds = 30;           // clock skew allowed on exp/nbf
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
    explicit TokenVerifier(AuthConfig config);
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
};

// A development token signed with the HS256 secret (complexcare token, tests).
std::string mint_hs256(const AuthConfig& config, const UserId& subject, std::chrono::seconds ttl,
                       bool platform_admin = false);

}  // namespace cc::auth
