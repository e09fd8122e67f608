#include "query-service/access.hpp"

#include <prometheus/counter.h>

#include <pqxx/pqxx>

#include "platform/observability/metrics.hpp"
#include "platform/pg/prepared.hpp"
#include "query-service/generations.hpp"

namespace cc::query {
namespace {

Error unknown_user() {
    return Error::make(ErrorKind::unauthorized, "user-unknown",
                       "the token's subject is not an active user");
}

// Is the caller live, with which role in the tenant, and does the tenant
// have the feature (its own choice, else the feature's default; a feature
// not projected yet is a built-in, so on). One statement; no row for a
// caller who is not a live user. A route without a feature asks without
// that part: one text per shape, so the plan PostgreSQL keeps for each
// fits every call (with `$3 = '' OR ...` a custom plan won on every call,
// and the statement was planned again each time).
constexpr std::string_view kTenantFacts =
    "SELECT (SELECT m.role FROM user_tenants m JOIN tenants t ON t.id = m.tenant_id "
    "        WHERE m.tenant_id = $1::uuid AND m.user_id = u.id AND m.deleted_at IS NULL "
    "        AND t.deleted_at IS NULL), ";
constexpr std::string_view kFeatureOn =
    "COALESCE((SELECT COALESCE(tf.is_enabled, NOT f.is_premium) "
    "        FROM features f LEFT JOIN tenant_features tf "
    "        ON tf.feature_id = f.id AND tf.tenant_id = $1::uuid WHERE f.name = $3), TRUE) ";
constexpr std::string_view kOfLiveUser =
    "FROM users u WHERE u.id = $2::uuid AND u.deleted_at IS NULL";

pg::Statement tenant_facts(const std::string& tenant_id, const UserId& user,
                           std::string_view feature) {
    pg::Statement statement{
        std::string(kTenantFacts),
        {tenant_id.empty() ? std::optional<std::string>() : tenant_id, user.to_string()}};
    if (feature.empty()) {
        statement.sql += "TRUE ";
    } else {
        statement.sql += kFeatureOn;
        statement.params.emplace_back(std::string(feature));
    }
    statement.sql += kOfLiveUser;
    return statement;
}

// query_access_checks_total{source="cache"|"database"}: how often the
// cache spares a round trip.
prometheus::Counter& checks(const char* source) {
    static auto& family = prometheus::BuildCounter()
                              .Name("query_access_checks_total")
                              .Help("Access checks, by where their facts came from")
                              .Register(obs::metrics_registry());
    return family.Add({{"source", source}});
}

pg::PreparedNames& prepared() {
    static pg::PreparedNames names("cc_access_", 8);
    return names;
}

}  // namespace

AccessFacts Access::facts(const auth::Caller& caller, const std::string& tenant_id,
                          std::string_view feature) {
    std::string key = caller.user.to_string();
    key += '|';
    key += tenant_id;
    key += '|';
    key += feature;
    const bool cached = cache_ != nullptr && !FreshAccess::required();
    if (cached) {
        if (auto known = cache_->find(key)) {
            checks("cache").Increment();
            return *known;
        }
    }
    checks("database").Increment();
    const auto epoch = cached ? cache_->epoch() : 0;
    // On the present, whatever generation the request reads (?as_of=).
    const pg::SearchPathScope present(present_search_path());
    auto connection = pool_.acquire();
    const auto rows =
        pg::run_single(*connection, prepared(), tenant_facts(tenant_id, caller.user, feature));
    AccessFacts facts;
    facts.live = !rows.empty();
    if (facts.live) {
        if (!rows[0][0].is_null()) facts.role = rows[0][0].as<std::string>();
        facts.feature_on = rows[0][1].as<bool>();
    }
    if (cached) cache_->store(key, facts, epoch);
    return facts;
}

Status Access::live_caller(const auth::Caller& caller) {
    if (!facts(caller, {}, {}).live) return unknown_user();
    return {};
}

Status Access::tenant(const auth::Caller& caller, const std::string& tenant_id,
                      auth::RoleSet permitted, std::string_view feature,
                      auth::Administration administration) {
    const auto known = facts(caller, tenant_id, feature);
    if (!known.live) return unknown_user();
    if (auto allowed = auth::authorize_tenant_action(caller, known.role, permitted, administration);
        !allowed) {
        return allowed;
    }
    if (!known.feature_on) return auth::feature_disabled(feature);
    return {};
}

}  // namespace cc::query
