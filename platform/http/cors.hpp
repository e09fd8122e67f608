#pragma once
// Cross-origin resource sharing for browser clients, as pure header logic:
// which CORS headers a preflight or an actual response gets, from the
// configured origins. No Beast or Request types, so it is unit-tested alone.
//
// Origins are matched exactly and echoed, never `*`: clients send
// Authorization, and a wildcard would let any site script the API with a
// token it obtained.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cc::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class CorsPolicy {
  public:
    CorsPolicy() = default;  // CORS off: no origin is allowed
    // Comma-separated origins such as "https://app.example.org,http://localhost:5173".
    // Throws std::invalid_argument for an entry that is not scheme://host[:port]
    // (a path, a trailing slash, `*`, `null`), because such an entry could never
    // match a browser's Origin and would fail silently.
    static CorsPolicy parse(std::string_view origins);

    bool enabled() const { return !origins_.empty(); }
    bool allows(std::string_view origin) const;
    const std::vector<std::string>& origins() const { return origins_; }

    // A preflight is an OPTIONS with Origin and Access-Control-Request-Method;
    // a plain OPTIONS is an ordinary request.
    static bool is_preflight(std::string_view method, const std::optional<std::string>& origin,
                             const std::optional<std::string>& request_method);

    // Headers of the 204 answering a preflight. `methods` are the ones the
    // path supports. An origin that is not allowed gets no CORS header at all,
    // so the browser refuses the real request.
    HeaderList preflight_headers(const std::optional<std::string>& origin,
                                 const std::vector<std::string>& methods) const;

    // Headers added to every actual response: Allow-Origin and Expose-Headers
    // for an allowed origin; Vary: Origin whenever CORS is on, because the
    // answer then depends on Origin and a shared cache must not mix them up.
    HeaderList response_headers(const std::optional<std::string>& origin) const;

    static constexpr std::string_view allowed_headers =
        "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, X-Request-Id, "
        "X-Correlation-Id, X-Min-Position";
    static constexpr std::string_view exposed_headers =
        "ETag, X-Min-Position, Idempotent-Replayed, Location, Retry-After, X-Request-Id";
    static constexpr std::string_view max_age_seconds = "600";

  private:
    std::vector<std::string> origins_;
};

// Adds `extra` to `headers`, merging Vary into an existing Vary header
// instead of sending two.
void merge_headers(HeaderList& headers, const HeaderList& extra);

}  // namespace cc::http
