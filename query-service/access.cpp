#include "query-service/access.hpp"

#include <pqxx/pqxx>

namespace cc::query {
namespace {

Error unknown_user() {
    return Error::make(ErrorKind::unauthorized, "user-unknown",
                       "the token's subject is not an active user");
}

}  // namespace

Status Access::live_caller(const auth::Caller& caller) {
    auto connection = pool_.acquire();
    pqxx::read_transaction tx(*connection);
    const auto rows = tx.exec_params(
        "SELECT 1 FROM users WHERE id = $1::uuid AND deleted_at IS NULL", caller.user.to_string());
    if (rows.empty()) return unknown_user();
    return {};
}

Status Access::tenant(const auth::Caller& caller, const std::string& tenant_id,
                      auth::RoleSet permitted) {
    // One round trip: is the caller live, and with which role in the tenant.
    auto connection = pool_.acquire();
    pqxx::read_transaction tx(*connection);
    const auto rows = tx.exec_params(
        "SELECT (SELECT m.role FROM user_tenants m JOIN tenants t ON t.id = m.tenant_id "
        "        WHERE m.tenant_id = $1::uuid AND m.user_id = u.id AND m.deleted_at IS NULL "
        "        AND t.deleted_at IS NULL) "
        "FROM users u WHERE u.id = $2::uuid AND u.deleted_at IS NULL",
        tenant_id, caller.user.to_string());
    if (rows.empty()) return unknown_user();
    std::optional<std::string> role;
    if (!rows[0][0].is_null()) role = rows[0][0].as<std::string>();
    return auth::authorize_tenant_action(caller, role, permitted);
}

}  // namespace cc::query
