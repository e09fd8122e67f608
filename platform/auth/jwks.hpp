#pragma once
// RS256 keys from an OpenID Connect provider's JWKS document
// (CC_JWT_JWKS_URL, RFC 7517): each JWK's modulus and exponent become an
// OpenSSL public key, cached by `kid`. A token naming a kid the cache lacks
// makes it fetch the document again, at most once per refresh interval, so
// a flood of made-up kids cannot hammer the provider. A fetch blocks the
// thread that asked (a worker: tokens are never verified on an I/O thread)
// for at most the fetch's timeout.
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/core/result.hpp"

namespace cc::auth {

// The PEM (SubjectPublicKeyInfo) of the RSA public key with modulus `n`
// and exponent `e`, each base64url without padding (RFC 7518 §6.3.1).
Result<std::string> rsa_public_key_pem(std::string_view n, std::string_view e);

struct Jwk {
    std::optional<std::string> kid;
    std::string pem;
};

// The RS256 signing keys of a JWKS document: RSA keys whose `use` is absent
// or "sig" and whose `alg` is absent or "RS256". Keys of other kinds are
// skipped; a document that is not a key set, or an RSA key whose numbers
// cannot be read, is an error (a provider's mistake, not a key to ignore).
Result<std::vector<Jwk>> rs256_keys_of(std::string_view document);

// The body of a GET of `url`; a transport failure, a status other than 200
// or a body over 1 MiB is an error.
using Fetch = std::function<Result<std::string>(const std::string& url)>;
// http:// or https:// (certificates verified against the system's CAs),
// over libcurl, with no redirects: a key source answers where it is.
Fetch http_fetch(std::chrono::milliseconds timeout);

// Whether `url` may serve keys: https, or http to a loopback host (a
// provider on the same machine, tests). Plain http elsewhere would let
// anyone on the path hand us keys.
bool is_trusted_key_url(std::string_view url);

class JwksKeys {
  public:
    JwksKeys(std::string url, std::chrono::seconds refresh_interval, Fetch fetch);

    // The PEM keys a token naming `kid` may be checked with (every key when
    // it names none): from the cache, else after fetching the document
    // again when the last fetch is at least the refresh interval old. A
    // fetched document replaces the cache, so keys the provider dropped go.
    std::vector<std::string> keys_for(const std::optional<std::string>& kid);

  private:
    std::vector<std::string> cached(const std::optional<std::string>& kid) const;
    bool may_fetch(std::chrono::steady_clock::time_point now) const;

    const std::string url_;
    const std::chrono::seconds refresh_interval_;
    const Fetch fetch_;
    std::mutex fetching_;  // one fetch at a time; the others wait for its keys
    mutable std::mutex mutex_;
    std::vector<Jwk> keys_;
    std::optional<std::chrono::steady_clock::time_point> last_fetch_;
};

}  // namespace cc::auth
