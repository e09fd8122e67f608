#pragma once
// The identity core's fold of the log: tenants, users, memberships, and the
// uniqueness indexes the deciders check (slug, email).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "command-service/domain/decision.hpp"
#include "events/envelope.hpp"
#include "platform/auth/permissions.hpp"

namespace cc::identity {

struct MembershipState {
    MembershipId id;
    std::int64_t version = 0;
    std::string role;
    bool is_primary = false;
    bool revoked = false;
};

class IdentityState {
  public:
    // Folds one event in. Events of other aggregates are ignored, so the
    // whole log can be replayed through it.
    void apply(const events::Envelope& event);

    const domain::EntityState* tenant(const TenantId& id) const;
    const domain::EntityState* user(const UserId& id) const;
    const MembershipState* membership(const TenantId& tenant, const UserId& user) const;
    // Slugs and emails stay taken by soft-deleted rows: the documented UNIQUE
    // constraints cover every row, deleted or not.
    std::optional<TenantId> tenant_with_slug(std::string_view slug) const;
    std::optional<UserId> user_with_email(std::string_view email) const;
    // The caller's role in a live tenant through a live membership.
    std::optional<std::string_view> role_in(const TenantId& tenant, const UserId& user) const;
    // Whether any live membership of the user permits the action.
    bool permitted_anywhere(const UserId& user, auth::TenantAction action) const;

  private:
    std::unordered_map<TenantId, domain::EntityState> tenants_;
    std::unordered_map<UserId, domain::EntityState> users_;
    std::map<std::pair<TenantId, UserId>, MembershipState> memberships_;
    std::unordered_map<std::string, TenantId> slugs_;
    std::unordered_map<std::string, UserId> emails_;
};

}  // namespace cc::identity
