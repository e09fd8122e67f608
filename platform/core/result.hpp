#pragma once
// Errors as values at every boundary: a domain decision, a log append or a
// query either yields its value or an Error that the HTTP layer maps to an
// RFC 9457 problem. Exceptions stay inside adapters.
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace cc {

enum class ErrorKind {
    malformed,               // 400: the request cannot be read
    invalid,                 // 422 with per-field errors: well-formed but breaks the schema
    unauthorized,            // 401
    forbidden,               // 403
    not_found,               // 404 (also for another tenant's ids)
    conflict,                // 409: uniqueness or state conflict
    version_mismatch,        // 412: If-Match does not match the aggregate version
    precondition_required,   // 428: If-Match missing where it is mandatory
    unsupported_media_type,  // 415: a body in a format the endpoint does not read
    rule_violated,           // 422: a domain rule refuses the change
    too_large,               // 413: the content is over a configured limit
    too_many_requests,       // 429: a per-caller limit is reached; retry later
    unavailable,             // 503: the log or database cannot be reached, writer fenced
    internal,                // 500
};

struct FieldError {
    std::string field;
    std::string code;     // stable, machine-readable ("required", "too_long", ...)
    std::string message;  // human-readable
};

struct Error {
    ErrorKind kind = ErrorKind::internal;
    std::string type;  // stable problem type slug, e.g. "validation-failed"
    std::string detail;
    std::vector<FieldError> fields;

    static Error make(ErrorKind kind, std::string type, std::string detail) {
        return Error{kind, std::move(type), std::move(detail), {}};
    }
};

template <class T>
class [[nodiscard]] Result {
  public:
    Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
    Result(Error error) : state_(std::move(error)) {}  // NOLINT

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const& { return std::get<1>(state_); }
    Error&& error() && { return std::get<1>(std::move(state_)); }

  private:
    std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const& { return error_; }
    Error&& error() && { return std::move(error_); }

  private:
    Error error_;
    bool ok_ = true;
};

using Status = Result<void>;

}  // namespace cc
