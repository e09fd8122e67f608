#pragma once
// Who may read what, decided against the projections: the caller must be a
// live user (or a configured operator), and tenant-scoped reads need a role
// in that tenant that permits them (auth/permissions.hpp).
#include <optional>
#include <string>

#include "platform/auth/permissions.hpp"
#include "platform/pg/pool.hpp"
#include "query-service/access_cache.hpp"

namespace cc::query {

class Access {
  public:
    // `cache` (optional) keeps the facts between requests (access_cache.hpp).
    explicit Access(pg::ConnectionPool& pool, AccessCache* cache = nullptr)
        : pool_(pool), cache_(cache) {}

    Status live_caller(const auth::Caller& caller);
    // live_caller, then the tenant rule: 404 for non-members, 403 for a role
    // without the action, then 403 feature-disabled when the read belongs to
    // a module `feature` the tenant has turned off. One round trip, or none
    // when the cache knows.
    Status tenant(const auth::Caller& caller, const std::string& tenant_id, auth::RoleSet permitted,
                  std::string_view feature = {},
                  auth::Administration administration = auth::Administration::members);
    Status tenant(const auth::Caller& caller, const std::string& tenant_id,
                  auth::TenantAction action) {
        return tenant(caller, tenant_id, auth::permitted_roles(action), {},
                      auth::administration_of(action));
    }

  private:
    // For a caller alone, leave `tenant_id` and `feature` empty.
    AccessFacts facts(const auth::Caller& caller, const std::string& tenant_id,
                      std::string_view feature);

    pg::ConnectionPool& pool_;
    AccessCache* cache_;
};

}  // namespace cc::query
