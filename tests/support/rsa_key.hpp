#pragma once
// An RSA key pair made by OpenSSL for a test: as PEM, as the JWK an OpenID
// Connect provider would publish, and RS256 tokens signed with it.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <jwt/jwt.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <string>

#include "platform/auth/token.hpp"
#include "platform/core/uuid.hpp"

namespace cc::testing {

struct RsaKey {
    std::string private_pem;
    std::string public_pem;
    std::string n, e;  // base64url without padding (RFC 7518 §6.3.1)

    static RsaKey generate(unsigned bits = 2048) {
        RsaKey key;
        EVP_PKEY* pair = EVP_RSA_gen(bits);
        const auto pem = [&](bool is_private) {
            BIO* bio = BIO_new(BIO_s_mem());
            if (is_private)
                PEM_write_bio_PrivateKey(bio, pair, nullptr, nullptr, 0, nullptr, nullptr);
            else
                PEM_write_bio_PUBKEY(bio, pair);
            char* data = nullptr;
            const long size = BIO_get_mem_data(bio, &data);
            std::string out(data, static_cast<std::size_t>(size));
            BIO_free(bio);
            return out;
        };
        const auto number = [&](const char* name) {
            BIGNUM* value = nullptr;
            EVP_PKEY_get_bn_param(pair, name, &value);
            std::string bytes(static_cast<std::size_t>(BN_num_bytes(value)), '\0');
            BN_bn2bin(value, reinterpret_cast<unsigned char*>(bytes.data()));
            BN_free(value);
            return base64url(bytes);
        };
        key.private_pem = pem(true);
        key.public_pem = pem(false);
        key.n = number(OSSL_PKEY_PARAM_RSA_N);
        key.e = number(OSSL_PKEY_PARAM_RSA_E);
        EVP_PKEY_free(pair);
        return key;
    }

    static std::string base64url(const std::string& bytes) {
        std::string text = jwt::base64_encode(bytes.data(), bytes.size());
        text.resize(jwt::base64_uri_encode(text.data(), text.size()));
        return text;
    }

    boost::json::object jwk(const std::string& kid) const {
        return {{"kty", "RSA"}, {"kid", kid}, {"use", "sig"}, {"alg", "RS256"}, {"n", n}, {"e", e}};
    }

    // A token the configured issuer would sign for `subject`, naming `kid`.
    std::string token(const std::optional<std::string>& kid, const UserId& subject,
                      const auth::AuthConfig& issuer = {}) const {
        const auto now = std::chrono::system_clock::now();
        jwt::jwt_object t{jwt::params::algorithm("RS256"), jwt::params::secret(private_pem)};
        if (kid) t.header().add_header("kid", *kid);
        t.add_claim("iss", issuer.issuer)
            .add_claim("aud", issuer.audience)
            .add_claim("sub", subject.to_string())
            .add_claim("iat", now)
            .add_claim("exp", now + std::chrono::minutes(5));
        return t.signature();
    }
};

// A JWKS document holding `keys`.
inline std::string jwks_document(const boost::json::array& keys) {
    return boost::json::serialize(boost::json::object{{"keys", keys}});
}

}  // namespace cc::testing
