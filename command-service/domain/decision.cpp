#include "command-service/domain/decision.hpp"

namespace cc::domain {

Status check_version(std::int64_t actual, std::optional<std::int64_t> expected) {
    if (expected && *expected != actual) {
        return Error::make(ErrorKind::version_mismatch, "version-mismatch",
                           "expected version " + std::to_string(*expected) + " but it is " +
                               std::to_string(actual));
    }
    return {};
}

Error not_found(std::string_view what) {
    return Error::make(ErrorKind::not_found, "not-found", std::string(what) + " not found");
}

Error conflict(std::string type, std::string detail, std::string field) {
    Error error = Error::make(ErrorKind::conflict, std::move(type), detail);
    error.fields.push_back({std::move(field), "duplicate", std::move(detail)});
    return error;
}

}  // namespace cc::domain
