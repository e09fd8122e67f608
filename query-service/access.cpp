#include "query-service/access.hpp"

#include <pqxx/pqxx>

#include "query-service/generations.hpp"

namespace cc::query {
namespace {

Error unknown_user() {
    return Error::make(ErrorKind::unauthorized, "user-unknown",
                       "the token's subject is not an active user");
}

}  // namespace

Status Access::live_caller(const auth::Caller& caller) {
    // On the present, whatever generation the request reads (?as_of=).
    const pg::SearchPathScope present(present_search_path());
    auto connection = pool_.acquire();
    pqxx::read_transaction tx(*connection);
    const auto rows = tx.exec_params(
        "SELECT 1 FROM users WHERE id = $1::uuid AND deleted_at IS NULL", caller.user.to_string());
    if (rows.empty()) return unknown_user();
    return {};
}

Status Access::tenant(const auth::Caller& caller, const std::string& tenant_id,
                      auth::RoleSet permitted, std::string_view feature,
                      auth::Administration administration) {
    // One round trip: is the caller live, with which role in the tenant, and
    // does the tenant have the feature (its own choice, else the feature's
    // default; a feature not projected yet is a built-in, so on). On the
    // present, whatever generation the request reads (?as_of=).
    const pg::SearchPathScope present(present_search_path());
    auto connection = pool_.acquire();
    pqxx::read_transaction tx(*connection);
    const auto rows = tx.exec_params(
        "SELECT (SELECT m.role FROM user_tenants m JOIN tenants t ON t.id = m.tenant_id "
        "        WHERE m.tenant_id = $1::uuid AND m.user_id = u.id AND m.deleted_at IS NULL "
        "        AND t.deleted_at IS NULL), "
        "       $3 = '' OR COALESCE((SELECT COALESCE(tf.is_enabled, NOT f.is_premium) "
        "        FROM features f LEFT JOIN tenant_features tf "
        "        ON tf.feature_id = f.id AND tf.tenant_id = $1::uuid WHERE f.name = $3), TRUE) "
        "FROM users u WHERE u.id = $2::uuid AND u.deleted_at IS NULL",
        tenant_id, caller.user.to_string(), std::string(feature));
    if (rows.empty()) return unknown_user();
    std::optional<std::string> role;
    if (!rows[0][0].is_null()) role = rows[0][0].as<std::string>();
    if (auto allowed = auth::authorize_tenant_action(caller, role, permitted, administration);
        !allowed) {
        return allowed;
    }
    if (!rows[0][1].as<bool>()) return auth::feature_disabled(feature);
    return {};
}

}  // namespace cc::query
