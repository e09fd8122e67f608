#include "projector/identity/identity_projection.hpp"

#include <array>
#include <boost/json.hpp>

#include "model/aggregates/identity.hpp"
#include "projector/projection/entity.hpp"

namespace cc::projection::identity {
namespace {

constexpr std::array<std::string_view, 4> kMembershipColumns{"user_id", "tenant_id", "role",
                                                             "is_primary"};
constexpr Reference kMembershipReferences[] = {{"user_id", "users"}, {"tenant_id", "tenants"}};
constexpr TableSpec kMemberships{"user_tenants", kMembershipColumns, {}, kMembershipReferences};

// A grant inserts the row, or revives a revoked one: UNIQUE(user_id,
// tenant_id) keeps one row per pair for good.
Result<Projected> granted(const events::Envelope& e) {
    boost::json::object values = e.payload;
    values["tenant_id"] = e.tenant_id.to_string();
    auto insert = insert_row(kMemberships, e, values);
    if (!insert) return std::move(insert).error();
    insert->sql +=
        " ON CONFLICT (id) DO UPDATE SET role = EXCLUDED.role, is_primary = EXCLUDED.is_primary, "
        "deleted_at = NULL, updated_at = EXCLUDED.updated_at";
    boost::json::object audit = e.payload;
    audit.erase("user_id");
    auto changes = creation_changes(audit);
    return Projected{{std::move(*insert)}, std::move(changes)};
}

}  // namespace

std::optional<Result<Projected>> project(const events::Envelope& e) {
    const auto& t = e.event_type;
    const auto& m = model::kMembership;
    if (t == m.created) return granted(e);
    if (t == m.updated) return updated(kMemberships, e, true);
    if (t == m.deleted) return deleted(kMemberships, e, true);
    return std::nullopt;
}

}  // namespace cc::projection::identity
