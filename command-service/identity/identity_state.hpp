#pragma once
// The identity core's own fold: memberships by (tenant, user), which every
// access check reads. Tenants and users live in the aggregate stores
// (aggregate/stores.hpp), with their slug and email indexes.
#include <map>
#include <string>
#include <utility>

#include "events/envelope.hpp"

namespace cc::identity {

struct MembershipState {
    MembershipId id;
    std::int64_t version = 0;
    std::string role;
    bool is_primary = false;
    bool revoked = false;
};

class MembershipIndex {
  public:
    using Key = std::pair<TenantId, UserId>;

    // Folds one event in. Events of other aggregates are ignored, so the
    // whole log can be replayed through it.
    void apply(const events::Envelope& event);

    // Revoked memberships too: a grant revives their row.
    const MembershipState* find(const TenantId& tenant, const UserId& user) const;
    const std::map<Key, MembershipState>& all() const { return memberships_; }

  private:
    std::map<Key, MembershipState> memberships_;
};

}  // namespace cc::identity
