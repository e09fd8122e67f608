#include <gtest/gtest.h>

#include <openssl/hmac.h>
#include <jwt/jwt.hpp>

#include "platform/auth/permissions.hpp"
#include "platform/auth/token.hpp"
#include "tests/support/rsa_key.hpp"

namespace cc::auth {
namespace {

using namespace std::chrono_literals;

const std::string kSecret = "a-test-secret-that-is-long-enough-for-hs256";

AuthConfig config() {
    AuthConfig c;
    c.hs256_secret = kSecret;
    c.leeway_seconds = 0;
    return c;
}

// Signs arbitrary claims, so each test can break exactly one thing.
std::string sign(const std::string& algorithm, const std::string& key,
                 std::function<void(jwt::jwt_object&)> claims) {
    jwt::jwt_object token{jwt::params::algorithm(algorithm), jwt::params::secret(key)};
    claims(token);
    return token.signature();
}

void standard(jwt::jwt_object& t, const UserId& sub) {
    const auto now = std::chrono::system_clock::now();
    t.add_claim("iss", "complexcare")
        .add_claim("aud", "complexcare-api")
        .add_claim("sub", sub.to_string());
    t.add_claim("nbf", now - 10s).add_claim("exp", now + 300s);
}

std::pair<std::string, std::string> rsa_key_pair() {
    auto key = testing::RsaKey::generate();
    return {std::move(key.private_pem), std::move(key.public_pem)};
}

TEST(Token, MintedDevelopmentTokenVerifies) {
    const auto user = UserId::generate();
    const TokenVerifier verifier(config());
    auto claims = verifier.verify(mint_hs256(config(), user, 60s));
    ASSERT_TRUE(claims.ok()) << claims.error().detail;
    EXPECT_EQ(claims->subject, user);
    EXPECT_FALSE(claims->platform_admin);
    EXPECT_TRUE(verifier.verify(mint_hs256(config(), user, 60s, true))->platform_admin);
}

TEST(Token, EachBrokenPropertyIsRefusedWithItsOwnType) {
    const auto user = UserId::generate();
    const TokenVerifier verifier(config());
    const auto now = std::chrono::system_clock::now();
    struct Case {
        const char* name;
        std::string token;
        const char* type;
    };
    const std::vector<Case> cases{
        {"expired",
         sign("HS256", kSecret,
              [&](auto& t) {
                  standard(t, user);
                  t.remove_claim("exp");
                  t.add_claim("exp", now - 60s);
              }),
         "token-expired"},
        {"not yet valid",
         sign("HS256", kSecret,
              [&](auto& t) {
                  standard(t, user);
                  t.remove_claim("nbf");
                  t.add_claim("nbf", now + 600s);
              }),
         "token-not-yet-valid"},
        {"wrong audience",
         sign("HS256", kSecret,
              [&](auto& t) {
                  standard(t, user);
                  t.remove_claim("aud");
                  t.add_claim("aud", "someone-else");
              }),
         "token-invalid"},
        {"wrong issuer",
         sign("HS256", kSecret,
              [&](auto& t) {
                  standard(t, user);
                  t.remove_claim("iss");
                  t.add_claim("iss", "evil");
              }),
         "token-invalid"},
        {"forged signature",
         sign("HS256", "another-secret-that-is-long-enough-xx",
              [&](auto& t) { standard(t, user); }),
         "token-invalid"},
        {"no exp",
         sign("HS256", kSecret,
              [&](auto& t) {
                  standard(t, user);
                  t.remove_claim("exp");
              }),
         "token-invalid"},
        {"sub not a user id",
         sign("HS256", kSecret,
              [&](auto& t) {
                  standard(t, user);
                  t.remove_claim("sub");
                  t.add_claim("sub", "root");
              }),
         "token-invalid"},
        {"not a jwt", "hello", "token-malformed"},
        {"garbage segments", "a.b.c", "token-malformed"},
    };
    for (const auto& c : cases) {
        auto result = verifier.verify(c.token);
        ASSERT_FALSE(result.ok()) << c.name;
        EXPECT_EQ(result.error().kind, ErrorKind::unauthorized) << c.name;
        EXPECT_EQ(result.error().type, c.type) << c.name;
    }
}

TEST(Token, AlgNoneIsNeverAccepted) {
    const auto user = UserId::generate();
    // header {"alg":"none","typ":"JWT"}, payload with valid claims, empty signature.
    const auto good = mint_hs256(config(), user, 60s);
    const auto payload = good.substr(good.find('.') + 1, good.rfind('.') - good.find('.') - 1);
    const std::string none_token = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + payload + ".";
    EXPECT_FALSE(TokenVerifier(config()).verify(none_token).ok());
}

TEST(Token, Rs256VerifiesWithAConfiguredPublicKeyOnly) {
    const auto [private_pem, public_pem] = rsa_key_pair();
    const auto [other_private, other_public] = rsa_key_pair();
    auto c = config();
    c.rs256_public_keys = {other_public, public_pem};  // key rotation: any configured key
    const TokenVerifier verifier(c);
    const auto user = UserId::generate();
    auto claims = verifier.verify(sign("RS256", private_pem, [&](auto& t) { standard(t, user); }));
    ASSERT_TRUE(claims.ok()) << claims.error().detail;
    EXPECT_EQ(claims->subject, user);

    auto unknown_key = config();
    unknown_key.rs256_public_keys = {other_public};
    EXPECT_FALSE(TokenVerifier(unknown_key)
                     .verify(sign("RS256", private_pem, [&](auto& t) { standard(t, user); }))
                     .ok());
    // An RS256 public key must not be usable as an HS256 secret (algorithm confusion).
    auto confused = sign("HS256", public_pem, [&](auto& t) { standard(t, user); });
    EXPECT_FALSE(verifier.verify(confused).ok());
}

// Found by fuzz/jwt.cpp: cpp-jwt read a missing claim out of bounds, and
// indexed its base64 table with bytes over 0x7F.
TEST(Token, ASignedTokenWithoutSubIsRefused) {
    const auto token = sign("HS256", kSecret, [](auto& t) {
        t.add_claim("iss", "complexcare")
            .add_claim("aud", "complexcare-api")
            .add_claim("exp", std::chrono::system_clock::now() + 300s);
    });
    const auto refused = TokenVerifier(config()).verify(token);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().type, "token-invalid");
}

TEST(Token, TimeClaimsMustBeNumericDatesAndClaimsNamedOnce) {
    const auto user = UserId::generate();
    // Signed here, not by cpp-jwt, which would not write such claims.
    const auto base64url = [](const std::string& bytes) {
        auto encoded = jwt::base64_encode(bytes.data(), bytes.size());
        encoded.resize(jwt::base64_uri_encode(encoded.data(), encoded.size()));
        return encoded;
    };
    const auto signed_with = [&](const std::string& claims) {
        const auto unsigned_part =
            base64url(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url(claims);
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
             reinterpret_cast<const unsigned char*>(unsigned_part.data()), unsigned_part.size(),
             mac, &length);
        return unsigned_part + "." +
               base64url(std::string(reinterpret_cast<const char*>(mac), length));
    };
    const std::string base =
        R"("iss":"complexcare","aud":"complexcare-api","sub":")" + user.to_string() + "\"";
    const TokenVerifier verifier(config());
    ASSERT_TRUE(verifier.verify(signed_with("{" + base + R"(,"exp":4102444800})")).ok());
    for (const auto* time : {R"("exp":4.1e52)", R"("exp":-1)", R"("exp":"4102444800")",
                             R"("exp":4102444800,"nbf":1e300)"}) {
        const auto refused = verifier.verify(signed_with("{" + base + "," + time + "}"));
        ASSERT_FALSE(refused.ok()) << time;
        EXPECT_EQ(refused.error().type, "token-invalid") << time;
    }
    const auto twice = verifier.verify(signed_with(
        "{" + base + R"(,"sub":")" + UserId::generate().to_string() + R"(","exp":4102444800})"));
    ASSERT_FALSE(twice.ok());
    EXPECT_EQ(twice.error().type, "token-malformed");
}

TEST(Token, AnythingButThreeBase64UrlPartsIsMalformed) {
    const TokenVerifier verifier(config());
    const auto good = mint_hs256(config(), UserId::generate(), 60s);
    ASSERT_TRUE(verifier.verify(good).ok());
    for (const std::string& bad : {"\xff\xff." + good.substr(good.find('.') + 1), good + "=",
                                   good + ".x", good.substr(0, good.rfind('.')), " " + good}) {
        const auto refused = verifier.verify(bad);
        ASSERT_FALSE(refused.ok()) << bad;
        EXPECT_EQ(refused.error().type, "token-malformed") << bad;
    }
}

TEST(Token, BearerHeaderIsRequired) {
    const TokenVerifier verifier(config());
    EXPECT_EQ(verifier.verify_header(std::nullopt).error().type, "token-missing");
    EXPECT_EQ(verifier.verify_header("Basic abc").error().type, "token-malformed");
    EXPECT_TRUE(
        verifier.verify_header("Bearer " + mint_hs256(config(), UserId::generate(), 60s)).ok());
}

TEST(Permissions, MatrixAndTenantRule) {
    EXPECT_TRUE(role_permits("admin", TenantAction::manage_members));
    EXPECT_FALSE(role_permits("manager", TenantAction::manage_members));
    EXPECT_TRUE(role_permits("auditor", TenantAction::read_audit));
    EXPECT_FALSE(role_permits("carer", TenantAction::read_audit));
    EXPECT_TRUE(role_permits("viewer", TenantAction::read_tenant));
    EXPECT_FALSE(role_permits("", TenantAction::read_tenant));
    for (auto role : kRoles) EXPECT_TRUE(role_permits(role, TenantAction::read_tenant)) << role;

    const Caller member{UserId::generate(), false};
    EXPECT_EQ(
        authorize_tenant_action(member, std::nullopt, permitted_roles(TenantAction::read_tenant))
            .error()
            .kind,
        ErrorKind::not_found)
        << "a non-member cannot tell the tenant exists";
    EXPECT_EQ(authorize_tenant_action(member, "carer", permitted_roles(TenantAction::update_tenant))
                  .error()
                  .kind,
              ErrorKind::forbidden);
    EXPECT_TRUE(
        authorize_tenant_action(member, "admin", permitted_roles(TenantAction::update_tenant))
            .ok());
    // Platform administration is not access to a tenant's records
    // (DESIGN.md): a platform administrator who is no member keeps the
    // tenant's profile and members, and sees nothing else.
    const Caller admin{UserId::generate(), true};
    const auto as_platform = [&](TenantAction action) {
        return authorize_tenant_action(admin, std::nullopt, permitted_roles(action),
                                       administration_of(action));
    };
    EXPECT_EQ(as_platform(TenantAction::read_audit).error().kind, ErrorKind::not_found);
    EXPECT_EQ(
        authorize_tenant_action(admin, std::nullopt, RoleSet{"admin", "clinician"}).error().kind,
        ErrorKind::not_found)
        << "care records";
    for (auto action : {TenantAction::read_tenant, TenantAction::update_tenant,
                        TenantAction::read_members, TenantAction::manage_members})
        EXPECT_TRUE(as_platform(action).ok());
}

TEST(Permissions, RoleSetsAreWrittenByNameAndCheckedByName) {
    constexpr RoleSet clinical{"admin", "clinician"};
    EXPECT_TRUE(clinical.contains("admin"));
    EXPECT_TRUE(clinical.contains("clinician"));
    EXPECT_FALSE(clinical.contains("carer"));
    EXPECT_FALSE(clinical.contains("nobody"));
    EXPECT_TRUE(RoleSet{}.empty());
    for (auto role : kRoles) EXPECT_TRUE(RoleSet::everyone().contains(role)) << role;
}

}  // namespace
}  // namespace cc::auth
