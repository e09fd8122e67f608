#include "query-service/as_of.hpp"

namespace cc::query {

std::optional<std::string> tenant_in_path(std::string_view path) {
    constexpr std::string_view prefix = "/v1/tenants/";
    if (path.substr(0, prefix.size()) != prefix) return std::nullopt;
    auto rest = path.substr(prefix.size());
    const auto slash = rest.find('/');
    auto tenant = rest.substr(0, slash);
    if (tenant.empty()) return std::nullopt;
    return std::string(tenant);
}

Result<std::optional<std::string>> requested_as_of(std::optional<std::string> query,
                                                   std::optional<std::string> header,
                                                   bool waits_for_position) {
    if (!query && !header) return std::optional<std::string>();
    if (query && header && *query != *header) {
        Error error = Error::make(ErrorKind::malformed, "as-of-conflict",
                                  "as_of and CC-As-Of name different generations");
        error.fields.push_back({"as_of", "conflict", error.detail});
        return error;
    }
    if (waits_for_position) {
        Error error = Error::make(ErrorKind::malformed, "as-of-with-min-position",
                                  "a past state never reaches a position: send as_of or "
                                  "min_position, not both");
        error.fields.push_back({"as_of", "conflict", error.detail});
        return error;
    }
    return std::optional<std::string>(query ? std::move(*query) : std::move(*header));
}

Status may_read_as_of(const auth::Caller& caller, bool in_tenant,
                      std::optional<std::string_view> role) {
    const bool allowed = in_tenant
                             ? role && auth::role_permits(*role, auth::TenantAction::read_as_of)
                             : caller.platform_admin;
    if (allowed) return {};
    return Error::make(ErrorKind::forbidden, "as-of-forbidden",
                       in_tenant ? "only the tenant's admins and auditors read past states"
                                 : "only a platform administrator reads past states here");
}

Error unknown_as_of(std::string_view name) {
    Error error = Error::make(ErrorKind::not_found, "as-of-unknown",
                              "no past state named '" + std::string(name) + "' is ready");
    error.fields.push_back({"as_of", "unknown", error.detail});
    return error;
}

}  // namespace cc::query
