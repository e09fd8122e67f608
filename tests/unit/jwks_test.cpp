// JWK to public key, JWKS documents and the key cache, without I/O: the
// document comes from a function standing in for the provider (the real
// fetch over loopback HTTP is tests/integration/jwks_test.cpp).
#include <gtest/gtest.h>

#include "platform/auth/jwks.hpp"
#include "platform/auth/token.hpp"
#include "platform/core/no_blocking.hpp"
#include "tests/support/rsa_key.hpp"

namespace cc::auth {
namespace {

using testing::jwks_document;
using testing::RsaKey;

const RsaKey& key_a() {
    static const RsaKey key = RsaKey::generate();
    return key;
}
const RsaKey& key_b() {
    static const RsaKey key = RsaKey::generate();
    return key;
}

TEST(Jwk, ModulusAndExponentBecomeTheSamePublicKeyOpenSslWrote) {
    const auto pem = rsa_public_key_pem(key_a().n, key_a().e);
    ASSERT_TRUE(pem.ok()) << pem.error().detail;
    EXPECT_EQ(*pem, key_a().public_pem);
    // A leading zero octet (which some providers send) is the same number.
    const auto padded = rsa_public_key_pem(
        RsaKey::base64url(std::string(1, '\0') +
                          jwt::base64_uri_decode(key_a().n.data(), key_a().n.size())),
        key_a().e);
    ASSERT_TRUE(padded.ok()) << padded.error().detail;
    EXPECT_EQ(*padded, key_a().public_pem);
}

TEST(Jwk, NumbersThatAreNotAnRsaPublicKeyAreRefused) {
    const auto small = RsaKey::generate(1024);
    EXPECT_FALSE(rsa_public_key_pem(small.n, small.e).ok()) << "under 2048 bits";
    EXPECT_FALSE(rsa_public_key_pem(key_a().n + "=", key_a().e).ok()) << "padding";
    EXPECT_FALSE(rsa_public_key_pem("+" + key_a().n.substr(1), key_a().e).ok())
        << "base64, not url";
    EXPECT_FALSE(rsa_public_key_pem(key_a().n, "AAEAAA").ok()) << "an even exponent";
    EXPECT_FALSE(rsa_public_key_pem(key_a().n, "").ok()) << "no exponent";
    EXPECT_FALSE(rsa_public_key_pem(key_a().n, "A").ok()) << "not whole octets";
}

TEST(Jwks, OnlyRs256SigningKeysAreTaken) {
    auto encryption = key_b().jwk("enc");
    encryption["use"] = "enc";
    auto rs512 = key_b().jwk("rs512");
    rs512["alg"] = "RS512";
    auto bare = key_b().jwk("bare");
    bare.erase("use");
    bare.erase("alg");
    const boost::json::object ec{{"kty", "EC"}, {"kid", "ec"}, {"crv", "P-256"}};
    const auto keys = rs256_keys_of(jwks_document({key_a().jwk("a"), encryption, rs512, ec, bare}));
    ASSERT_TRUE(keys.ok()) << keys.error().detail;
    ASSERT_EQ(keys->size(), 2u);
    EXPECT_EQ(keys->at(0).kid, "a");
    EXPECT_EQ(keys->at(0).pem, key_a().public_pem);
    EXPECT_EQ(keys->at(1).kid, "bare");

    auto no_exponent = key_a().jwk("a");
    no_exponent.erase("e");
    for (const auto* bad : {"[]", "{}", R"({"keys":{}})", R"({"keys":[1]})", "not json"})
        EXPECT_FALSE(rs256_keys_of(bad).ok()) << bad;
    EXPECT_FALSE(rs256_keys_of(jwks_document({no_exponent})).ok());
}

TEST(Jwks, OnlyHttpsOrLoopbackHttpMayServeKeys) {
    for (const auto* url :
         {"https://login.example.org/.well-known/jwks.json", "http://127.0.0.1:8080/jwks",
          "http://127.1.2.3/jwks", "http://localhost:9000/keys", "http://[::1]:9000/keys"}) {
        EXPECT_TRUE(is_trusted_key_url(url)) << url;
    }
    for (const auto* url : {"http://login.example.org/jwks", "http://127.0.0.1.example.org/jwks",
                            "ftp://127.0.0.1/jwks", "file:///etc/keys", "not a url", ""}) {
        EXPECT_FALSE(is_trusted_key_url(url)) << url;
    }
}

// The provider as a function: what it serves now, and how often it was asked.
struct Provider {
    boost::json::array keys;
    int fetches = 0;
    bool down = false;
    Fetch fetch() {
        return [this](const std::string&) -> Result<std::string> {
            ++fetches;
            if (down) return Error::make(ErrorKind::unavailable, "down", "down");
            return jwks_document(keys);
        };
    }
};

AuthConfig jwks_config(std::chrono::seconds refresh) {
    AuthConfig config;
    config.jwks_url = "https://login.example.org/jwks";
    config.jwks_refresh_interval = refresh;
    config.leeway_seconds = 0;
    return config;
}

TEST(Jwks, TokensAreVerifiedWithTheKeyTheirKidNames) {
    Provider provider{{key_a().jwk("a"), key_b().jwk("b")}};
    const TokenVerifier verifier(jwks_config(std::chrono::hours(1)), provider.fetch());
    const auto user = UserId::generate();
    for (int i = 0; i < 3; ++i) {
        const auto claims = verifier.verify(key_a().token("a", user));
        ASSERT_TRUE(claims.ok()) << claims.error().detail;
        EXPECT_EQ(claims->subject, user);
    }
    EXPECT_TRUE(verifier.verify(key_b().token("b", user)).ok());
    EXPECT_TRUE(verifier.verify(key_b().token(std::nullopt, user)).ok()) << "no kid: any key";
    EXPECT_EQ(provider.fetches, 1) << "cached";
    // A key under another key's kid does not verify.
    EXPECT_EQ(verifier.verify(key_b().token("a", user)).error().type, "token-invalid");
}

TEST(Jwks, AnUnknownKidFetchesAtMostOncePerIntervalAndAFailedFetchCounts) {
    Provider provider{{key_a().jwk("a")}, 0, /*down=*/true};
    const TokenVerifier verifier(jwks_config(std::chrono::hours(1)), provider.fetch());
    const auto user = UserId::generate();
    const auto refused = verifier.verify(key_a().token("a", user));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().kind, ErrorKind::unauthorized);
    EXPECT_EQ(refused.error().type, "token-invalid");
    provider.down = false;
    for (int i = 0; i < 20; ++i) {
        EXPECT_FALSE(verifier.verify(key_a().token("random-" + std::to_string(i), user)).ok());
    }
    EXPECT_FALSE(verifier.verify(key_a().token("a", user)).ok()) << "not before the interval ends";
    EXPECT_EQ(provider.fetches, 1);
}

// A thread that must not block (a server's I/O thread) does not fetch: it
// declines, and the thread that tries again fetches as it would have.
TEST(Jwks, AThreadThatMustNotBlockDeclinesToFetch) {
    Provider provider{{key_a().jwk("a")}};
    const TokenVerifier verifier(jwks_config(std::chrono::hours(1)), provider.fetch());
    const auto user = UserId::generate();
    {
        const NoBlocking attempt;
        EXPECT_FALSE(verifier.verify(key_a().token("a", user)).ok());
        EXPECT_TRUE(attempt.declined());
    }
    EXPECT_EQ(provider.fetches, 0);
    ASSERT_TRUE(verifier.verify(key_a().token("a", user)).ok());
    EXPECT_EQ(provider.fetches, 1);
    const NoBlocking cached;
    EXPECT_TRUE(verifier.verify(key_a().token("a", user)).ok()) << "a cached key needs no fetch";
    EXPECT_FALSE(cached.declined());
}

TEST(Jwks, ARotatedKeyIsFetchedAndADroppedOneGoes) {
    Provider provider{{key_a().jwk("a")}};
    const TokenVerifier verifier(jwks_config(std::chrono::seconds(0)), provider.fetch());
    const auto user = UserId::generate();
    ASSERT_TRUE(verifier.verify(key_a().token("a", user)).ok());
    provider.keys = {key_b().jwk("b")};
    EXPECT_TRUE(verifier.verify(key_b().token("b", user)).ok());
    EXPECT_EQ(provider.fetches, 2);
    EXPECT_FALSE(verifier.verify(key_a().token("a", user)).ok()) << "dropped by the provider";
}

TEST(Jwks, ConfiguredPemKeysStillVerifyBesideTheProvidersKeys) {
    Provider provider{{key_b().jwk("b")}};
    auto config = jwks_config(std::chrono::hours(1));
    config.rs256_public_keys = {key_a().public_pem};
    const TokenVerifier verifier(config, provider.fetch());
    const auto user = UserId::generate();
    EXPECT_TRUE(verifier.verify(key_a().token(std::nullopt, user)).ok());
    EXPECT_TRUE(verifier.verify(key_b().token("b", user)).ok());
}

}  // namespace
}  // namespace cc::auth
