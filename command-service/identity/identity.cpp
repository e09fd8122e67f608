#include "command-service/identity/identity.hpp"

#include "command-service/domain/entity.hpp"

#include "command-service/write_model.hpp"

#include <boost/json.hpp>

#include "model/aggregates/identity.hpp"
#include "model/validate.hpp"
#include "platform/core/json.hpp"

namespace cc::identity {
using domain::changes_of;
using domain::Decision;
using domain::event;
using domain::single;
using domain::unchanged;

void MembershipIndex::apply(const events::Envelope& e) {
    if (e.aggregate_type != model::kMembership.name) return;
    const auto& type = e.event_type;
    const auto user = UserId::parse(json::string_at(e.payload, "user_id").value_or(""));
    if (!user) return;
    auto& membership = memberships_[{e.tenant_id, *user}];
    membership.id = MembershipId(e.aggregate_id);
    membership.version = e.aggregate_version;
    if (type == model::kMembership.created) {
        membership.role = json::string_at(e.payload, "role").value_or("");
        const auto* primary = e.payload.if_contains("is_primary");
        membership.is_primary = primary && primary->is_bool() && primary->as_bool();
        membership.revoked = false;
    } else if (type == model::kMembership.updated) {
        boost::json::object fields{{"role", membership.role},
                                   {"is_primary", membership.is_primary}};
        model::apply_changes(fields, changes_of(e));
        membership.role = json::string_at(fields, "role").value_or(membership.role);
        membership.is_primary = fields["is_primary"].is_bool() && fields["is_primary"].as_bool();
    } else if (type == model::kMembership.deleted) {
        membership.revoked = true;
    }
}

const MembershipState* MembershipIndex::find(const TenantId& tenant, const UserId& user) const {
    auto it = memberships_.find({tenant, user});
    return it == memberships_.end() ? nullptr : &it->second;
}

namespace {

aggregate::Target target(const model::Aggregate& aggregate, const Uuid& id) {
    return {&aggregate, aggregate::filed_under(aggregate, id, kPlatformTenant), id, UserId(),
            Timestamp::now()};
}

const aggregate::Record* record_of(const WriteModel& m, const model::Aggregate& a, const Uuid& id) {
    return m.entities.of(a.name)->find(aggregate::filed_under(a, id, kPlatformTenant), id);
}

bool live(const aggregate::Record* record) {
    return record != nullptr && !record->deleted;
}

}  // namespace

aggregate::Create create_tenant(const TenantId& id, json::Body body) {
    return {target(model::kTenant, id.uuid()), std::move(body)};
}
aggregate::Patch update_tenant(const TenantId& id, std::optional<std::int64_t> expected_version,
                               json::Body body) {
    return {target(model::kTenant, id.uuid()), expected_version, std::move(body)};
}
aggregate::Delete delete_tenant(const TenantId& id, std::optional<std::int64_t> expected_version) {
    return {target(model::kTenant, id.uuid()), expected_version};
}
aggregate::Create register_user(const UserId& id, json::Body body) {
    return {target(model::kUser, id.uuid()), std::move(body)};
}
aggregate::Patch update_user(const UserId& id, std::optional<std::int64_t> expected_version,
                             json::Body body) {
    return {target(model::kUser, id.uuid()), expected_version, std::move(body)};
}
aggregate::Delete delete_user(const UserId& id, std::optional<std::int64_t> expected_version) {
    return {target(model::kUser, id.uuid()), expected_version};
}

const aggregate::Record* tenant_record(const WriteModel& m, const TenantId& id) {
    return record_of(m, model::kTenant, id.uuid());
}
const aggregate::Record* user_record(const WriteModel& m, const UserId& id) {
    return record_of(m, model::kUser, id.uuid());
}

std::optional<std::string_view> role_in(const WriteModel& m, const TenantId& tenant,
                                        const UserId& user) {
    const auto* membership = m.memberships.find(tenant, user);
    if (!live(tenant_record(m, tenant)) || membership == nullptr || membership->revoked) {
        return std::nullopt;
    }
    return membership->role;
}

bool permitted_anywhere(const WriteModel& m, const UserId& user, auth::TenantAction action) {
    for (const auto& [key, membership] : m.memberships.all()) {
        if (key.second == user && role_in(m, key.first, user) &&
            auth::role_permits(membership.role, action)) {
            return true;
        }
    }
    return false;
}

using auth::Caller;
using auth::TenantAction;

Status require_live_caller(const WriteModel& m, const Caller& caller) {
    if (!live(user_record(m, caller.user))) {
        return Error::make(ErrorKind::unauthorized, "user-unknown",
                           "the token's subject is not an active user");
    }
    return {};
}

Status require_tenant_action(const WriteModel& m, const Caller& caller, const TenantId& tenant,
                             auth::RoleSet permitted) {
    if (auto s = require_live_caller(m, caller); !s) return s;
    return auth::authorize_tenant_action(caller, role_in(m, tenant, caller.user), permitted);
}

namespace {

// Users are not tenant data: a caller sees only their own account unless a
// platform admin, and anyone else's is answered as missing.
Status own_account(const WriteModel& m, const Caller& caller, const UserId& target) {
    if (auto s = require_live_caller(m, caller); !s) return s;
    if (caller.platform_admin || caller.user == target) return {};
    return domain::not_found("user");
}

// Whether the caller may know the row exists: a tenant's members may (they
// learn of a refusal as 403), anyone else is answered as for a missing row.
Status may_see(const WriteModel& m, const Caller& caller, const aggregate::Target& t) {
    if (t.aggregate->scope == model::Scope::platform) return own_account(m, caller, UserId(t.id));
    return require_tenant_action(m, caller, t.tenant, t.aggregate->permissions.read);
}

}  // namespace

Status check_policy(const WriteModel& m, const Caller& caller, const aggregate::Target& t,
                    model::Policy policy, auth::RoleSet roles, bool existing) {
    switch (policy) {
        case model::Policy::tenant_role:
            return require_tenant_action(m, caller, t.tenant, roles);
        case model::Policy::platform_admin: {
            auto seen = existing ? may_see(m, caller, t) : require_live_caller(m, caller);
            if (!seen) return seen;
            if (!caller.platform_admin) return auth::platform_admin_required();
            return {};
        }
        case model::Policy::own_account:
            return own_account(m, caller, UserId(t.id));
        case model::Policy::registrar:
            if (auto s = require_live_caller(m, caller); !s) return s;
            if (caller.platform_admin ||
                permitted_anywhere(m, caller.user, TenantAction::register_user)) {
                return {};
            }
            return Error::make(ErrorKind::forbidden, "forbidden",
                               "registering users needs the admin or manager role in a tenant");
    }
    return Error::make(ErrorKind::internal, "policy-unknown", "no such access policy");
}

Status authorize(const WriteModel& m, const Caller& caller, const PutMembership& c) {
    return require_tenant_action(m, caller, c.tenant,
                                 auth::permitted_roles(TenantAction::manage_members));
}
Status authorize(const WriteModel& m, const Caller& caller, const RevokeMembership& c) {
    return require_tenant_action(m, caller, c.tenant,
                                 auth::permitted_roles(TenantAction::manage_members));
}

Result<Decision> decide(const WriteModel& model, const PutMembership& c) {
    if (!live(tenant_record(model, c.tenant))) return domain::not_found("tenant");
    if (!live(user_record(model, c.user))) return domain::not_found("user");
    auto fields = model::validate_create(model::kMembership.fields, c.body);
    if (!fields) return std::move(fields).error();
    const std::string user_id = c.user.to_string();

    const auto* current = model.memberships.find(c.tenant, c.user);
    if (current == nullptr || current->revoked) {
        // A revoked membership is granted again on the same row: the
        // documented UNIQUE(user_id, tenant_id) covers revoked rows too.
        if (current != nullptr) {
            if (auto s = domain::check_version(current->version, c.expected_version); !s) {
                return std::move(s).error();
            }
        } else if (c.expected_version) {
            return domain::check_version(0, c.expected_version).error();
        }
        const Uuid id = current ? current->id.uuid() : c.new_id.uuid();
        const std::int64_t version = current ? current->version + 1 : 1;
        (*fields)["user_id"] = user_id;
        return single(event(model::kMembership.created, model::kMembership.name, id, version,
                            c.tenant, std::move(*fields)));
    }
    if (auto s = domain::check_version(current->version, c.expected_version); !s) {
        return std::move(s).error();
    }
    boost::json::object existing{{"role", current->role}, {"is_primary", current->is_primary}};
    auto changes = model::diff(existing, *fields);
    if (changes.empty()) return unchanged(current->id.uuid(), current->version);
    return single(event(model::kMembership.updated, model::kMembership.name, current->id.uuid(),
                        current->version + 1, c.tenant,
                        {{"user_id", user_id}, {"changes", std::move(changes)}}));
}

Result<Decision> decide(const WriteModel& model, const RevokeMembership& c) {
    if (!live(tenant_record(model, c.tenant))) return domain::not_found("tenant");
    const auto* current = model.memberships.find(c.tenant, c.user);
    if (current == nullptr || current->revoked) return domain::not_found("membership");
    if (auto s = domain::check_version(current->version, c.expected_version); !s) {
        return std::move(s).error();
    }
    return single(event(model::kMembership.deleted, model::kMembership.name, current->id.uuid(),
                        current->version + 1, c.tenant, {{"user_id", c.user.to_string()}}));
}

}  // namespace cc::identity
