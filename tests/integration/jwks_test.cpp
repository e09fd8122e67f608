// RS256 keys from a provider's JWKS over real HTTP on loopback: libcurl
// fetching from the platform's own HTTP server, which counts what it served.
#include <gtest/gtest.h>

#include "platform/auth/token.hpp"
#include "tests/support/jwks_server.hpp"
#include "tests/support/rsa_key.hpp"

namespace cc::auth {
namespace {

using testing::JwksServer;
using testing::RsaKey;

class JwksOverHttp : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        first = new RsaKey(RsaKey::generate());
        rotated = new RsaKey(RsaKey::generate());
    }
    static void TearDownTestSuite() {
        delete first;
        delete rotated;
    }
    static TokenVerifier verifier_of(const JwksServer& provider, std::chrono::seconds refresh) {
        AuthConfig config;
        config.jwks_url = provider.url();
        config.jwks_refresh_interval = refresh;
        return TokenVerifier(config);
    }
    static RsaKey* first;
    static RsaKey* rotated;
    const UserId user = UserId::generate();
};
RsaKey* JwksOverHttp::first = nullptr;
RsaKey* JwksOverHttp::rotated = nullptr;

TEST_F(JwksOverHttp, ATokenIsVerifiedWithTheProvidersKeyFetchedOnce) {
    JwksServer provider({first->jwk("k1")});
    const auto verifier = verifier_of(provider, std::chrono::hours(1));
    EXPECT_EQ(provider.fetches(), 0) << "nothing is fetched before a token needs it";
    for (int i = 0; i < 5; ++i) {
        const auto claims = verifier.verify(first->token("k1", user));
        ASSERT_TRUE(claims.ok()) << claims.error().detail;
        EXPECT_EQ(claims->subject, user);
    }
    EXPECT_EQ(provider.fetches(), 1);
}

TEST_F(JwksOverHttp, ARotatedKeyIsAcceptedOnceTheKeySetIsFetchedAgain) {
    JwksServer provider({first->jwk("k1")});
    const auto verifier = verifier_of(provider, std::chrono::seconds(0));
    ASSERT_TRUE(verifier.verify(first->token("k1", user)).ok());
    provider.publish({first->jwk("k1"), rotated->jwk("k2")});
    const auto claims = verifier.verify(rotated->token("k2", user));
    ASSERT_TRUE(claims.ok()) << claims.error().detail;
    EXPECT_EQ(provider.fetches(), 2);
    EXPECT_TRUE(verifier.verify(first->token("k1", user)).ok()) << "the old key stays while listed";
    EXPECT_EQ(provider.fetches(), 2);
}

TEST_F(JwksOverHttp, AnUnknownKidIsRefusedAndFetchesAtMostOncePerInterval) {
    JwksServer provider({first->jwk("k1")});
    const auto verifier = verifier_of(provider, std::chrono::hours(1));
    ASSERT_TRUE(verifier.verify(first->token("k1", user)).ok());
    for (int i = 0; i < 50; ++i) {
        const auto refused = verifier.verify(first->token("forged-" + std::to_string(i), user));
        ASSERT_FALSE(refused.ok());
        EXPECT_EQ(refused.error().kind, ErrorKind::unauthorized);
        EXPECT_EQ(refused.error().type, "token-invalid");
    }
    // The limit holds for a key the provider really rotated in, too.
    provider.publish({first->jwk("k1"), rotated->jwk("k2")});
    EXPECT_FALSE(verifier.verify(rotated->token("k2", user)).ok());
    EXPECT_EQ(provider.fetches(), 1) << "one fetch, however many unknown kids";
}

TEST_F(JwksOverHttp, AProviderThatCannotBeReachedRefusesTokensWithoutHanging) {
    std::string url;
    {
        const JwksServer gone({});
        url = gone.url();
    }  // its port is closed now
    AuthConfig config;
    config.jwks_url = url;
    const TokenVerifier verifier(config);
    const auto refused = verifier.verify(first->token("k1", user));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().kind, ErrorKind::unauthorized);
}

}  // namespace
}  // namespace cc::auth
