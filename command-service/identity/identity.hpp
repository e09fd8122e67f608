#pragma once
// The identity core on the write side: tenants, users and memberships. The
// decide() overloads are pure functions from (write model, command) to events;
// authorize() checks the caller against the same model.
#include <boost/json/object.hpp>

#include <array>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "command-service/domain/decision.hpp"
#include "command-service/identity/identity_state.hpp"
#include "platform/core/json.hpp"

namespace cc::command {
struct WriteModel;
}

namespace cc::identity {

using command::WriteModel;

struct CreateTenant {
    TenantId id;
    json::Body body;
};
struct UpdateTenant {
    TenantId id;
    std::optional<std::int64_t> expected_version;
    json::Body body;
};
struct DeleteTenant {
    TenantId id;
    std::optional<std::int64_t> expected_version;
};
struct RegisterUser {
    UserId id;
    json::Body body;
};
struct UpdateUser {
    UserId id;
    std::optional<std::int64_t> expected_version;
    json::Body body;
};
struct DeleteUser {
    UserId id;
    std::optional<std::int64_t> expected_version;
};
// Grants a membership, or changes its role / is_primary (PUT semantics).
struct PutMembership {
    TenantId tenant;
    UserId user;
    MembershipId new_id;  // used only when no membership row exists yet
    std::optional<std::int64_t> expected_version;
    json::Body body;
};
struct RevokeMembership {
    TenantId tenant;
    UserId user;
    std::optional<std::int64_t> expected_version;
};

// Access rules every module reuses: the caller is a live user; the caller's
// role in the tenant permits the action (404 for non-members, 403 for roles).
Status require_live_caller(const IdentityState& state, const auth::Caller& caller);
Status require_tenant_action(const IdentityState& state, const auth::Caller& caller,
                             const TenantId& tenant, auth::RoleSet permitted);

// Authorisation against the write model, checked in the same critical section
// as the decision: the caller must be a live user (or a configured operator)
// whose role permits the command (auth/permissions.hpp).
Status authorize(const WriteModel& model, const auth::Caller& caller, const CreateTenant& command);
Status authorize(const WriteModel& model, const auth::Caller& caller, const UpdateTenant& command);
Status authorize(const WriteModel& model, const auth::Caller& caller, const DeleteTenant& command);
Status authorize(const WriteModel& model, const auth::Caller& caller, const RegisterUser& command);
Status authorize(const WriteModel& model, const auth::Caller& caller, const UpdateUser& command);
Status authorize(const WriteModel& model, const auth::Caller& caller, const DeleteUser& command);
Status authorize(const WriteModel& model, const auth::Caller& caller, const PutMembership& command);
Status authorize(const WriteModel& model, const auth::Caller& caller,
                 const RevokeMembership& command);

Result<domain::Decision> decide(const WriteModel& model, const CreateTenant& command);
Result<domain::Decision> decide(const WriteModel& model, const UpdateTenant& command);
Result<domain::Decision> decide(const WriteModel& model, const DeleteTenant& command);
Result<domain::Decision> decide(const WriteModel& model, const RegisterUser& command);
Result<domain::Decision> decide(const WriteModel& model, const UpdateUser& command);
Result<domain::Decision> decide(const WriteModel& model, const DeleteUser& command);
Result<domain::Decision> decide(const WriteModel& model, const PutMembership& command);
Result<domain::Decision> decide(const WriteModel& model, const RevokeMembership& command);

}  // namespace cc::identity
