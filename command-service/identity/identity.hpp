#pragma once
// The identity core on the write side: tenants, users and memberships.
// IdentityState is the evolver's fold of the log; the decide() overloads are
// pure functions from (state, command) to events.
#include <boost/json/object.hpp>

#include <array>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "command-service/domain/decision.hpp"
#include "command-service/domain/validation.hpp"
#include "events/envelope.hpp"
#include "platform/auth/permissions.hpp"

namespace cc::identity {

using auth::kRoles;

std::span<const domain::FieldSpec> tenant_fields();
std::span<const domain::FieldSpec> user_fields();
std::span<const domain::FieldSpec> membership_fields();

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

struct CreateTenant {
    TenantId id;
    boost::json::object body;
};
struct UpdateTenant {
    TenantId id;
    std::optional<std::int64_t> expected_version;
    boost::json::object body;
};
struct DeleteTenant {
    TenantId id;
    std::optional<std::int64_t> expected_version;
};
struct RegisterUser {
    UserId id;
    boost::json::object body;
};
struct UpdateUser {
    UserId id;
    std::optional<std::int64_t> expected_version;
    boost::json::object body;
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
    boost::json::object body;
};
struct RevokeMembership {
    TenantId tenant;
    UserId user;
    std::optional<std::int64_t> expected_version;
};

// Authorisation against the write model, checked in the same critical section
// as the decision: the caller must be a live user (or a configured operator)
// whose role permits the command (auth/permissions.hpp).
Status authorize(const IdentityState& state, const auth::Caller& caller, const CreateTenant& command);
Status authorize(const IdentityState& state, const auth::Caller& caller, const UpdateTenant& command);
Status authorize(const IdentityState& state, const auth::Caller& caller, const DeleteTenant& command);
Status authorize(const IdentityState& state, const auth::Caller& caller, const RegisterUser& command);
Status authorize(const IdentityState& state, const auth::Caller& caller, const UpdateUser& command);
Status authorize(const IdentityState& state, const auth::Caller& caller, const DeleteUser& command);
Status authorize(const IdentityState& state, const auth::Caller& caller, const PutMembership& command);
Status authorize(const IdentityState& state, const auth::Caller& caller,
                 const RevokeMembership& command);

Result<domain::Decision> decide(const IdentityState& state, const CreateTenant& command);
Result<domain::Decision> decide(const IdentityState& state, const UpdateTenant& command);
Result<domain::Decision> decide(const IdentityState& state, const DeleteTenant& command);
Result<domain::Decision> decide(const IdentityState& state, const RegisterUser& command);
Result<domain::Decision> decide(const IdentityState& state, const UpdateUser& command);
Result<domain::Decision> decide(const IdentityState& state, const DeleteUser& command);
Result<domain::Decision> decide(const IdentityState& state, const PutMembership& command);
Result<domain::Decision> decide(const IdentityState& state, const RevokeMembership& command);

}  // namespace cc::identity
