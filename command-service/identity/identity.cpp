#include "command-service/identity/identity.hpp"

#include "command-service/domain/entity.hpp"
#include "command-service/write_model.hpp"

#include <boost/json.hpp>

#include "model/aggregates/identity.hpp"
#include "model/validate.hpp"
#include "platform/core/json.hpp"

namespace cc::identity {
using domain::changes_of;
using domain::decide_delete;
using domain::decide_patch;
using domain::Decision;
using domain::EntityState;
using domain::event;
using domain::PendingEvent;
using domain::single;
using domain::unchanged;

namespace {

std::optional<std::string> text_field(const boost::json::object& fields, std::string_view key) {
    return json::string_at(fields, key);
}

// A unique text field (slug, email) must not be taken by another aggregate.
template <class IdT, class Lookup>
Status check_unique(const boost::json::object& fields, std::string_view field, const IdT& self,
                    Lookup&& lookup, std::string_view what) {
    const auto value = text_field(fields, field);
    if (!value) return {};
    const auto owner = lookup(*value);
    if (owner && *owner != self) {
        return domain::conflict(std::string(what) + "-taken",
                                std::string(field) + " '" + *value + "' is already in use",
                                std::string(field));
    }
    return {};
}

template <class Map, class Key>
auto* find_in(Map& map, const Key& key) {
    auto it = map.find(key);
    return it == map.end() ? nullptr : &it->second;
}

// Keeps a unique index in step with a field: a changed value frees the old
// one and takes the new one. Soft deletes keep the value taken.
template <class IdT>
void track_unique(std::unordered_map<std::string, IdT>& index,
                  const std::optional<std::string>& before, const std::optional<std::string>& after,
                  const IdT& id) {
    if (before == after) return;
    if (before) index.erase(*before);
    if (after) index[*after] = id;
}

}  // namespace

void IdentityState::apply(const events::Envelope& e) {
    const auto& type = e.event_type;
    if (e.aggregate_type == model::kTenant.name) {
        const TenantId id(e.aggregate_id);
        auto& tenant = tenants_[id];
        const auto slug_before = text_field(tenant.fields, "slug");
        domain::fold_entity(tenant, e, model::kTenant.created, model::kTenant.updated,
                            model::kTenant.deleted);
        track_unique(slugs_, slug_before, text_field(tenant.fields, "slug"), id);
    } else if (e.aggregate_type == model::kUser.name) {
        const UserId id(e.aggregate_id);
        auto& user = users_[id];
        const auto email_before = text_field(user.fields, "email");
        domain::fold_entity(user, e, model::kUser.created, model::kUser.updated,
                            model::kUser.deleted);
        track_unique(emails_, email_before, text_field(user.fields, "email"), id);
    } else if (e.aggregate_type == model::kMembership.name) {
        const auto user = UserId::parse(text_field(e.payload, "user_id").value_or(""));
        if (!user) return;
        auto& membership = memberships_[{e.tenant_id, *user}];
        membership.id = MembershipId(e.aggregate_id);
        membership.version = e.aggregate_version;
        if (type == model::kMembership.created) {
            membership.role = text_field(e.payload, "role").value_or("");
            const auto* primary = e.payload.if_contains("is_primary");
            membership.is_primary = primary && primary->is_bool() && primary->as_bool();
            membership.revoked = false;
        } else if (type == model::kMembership.updated) {
            boost::json::object fields{{"role", membership.role},
                                       {"is_primary", membership.is_primary}};
            model::apply_changes(fields, changes_of(e));
            membership.role = text_field(fields, "role").value_or(membership.role);
            membership.is_primary =
                fields["is_primary"].is_bool() && fields["is_primary"].as_bool();
        } else if (type == model::kMembership.deleted) {
            membership.revoked = true;
        }
    }
}

const EntityState* IdentityState::tenant(const TenantId& id) const {
    return find_in(tenants_, id);
}
const EntityState* IdentityState::user(const UserId& id) const {
    return find_in(users_, id);
}
const MembershipState* IdentityState::membership(const TenantId& tenant, const UserId& user) const {
    return find_in(memberships_, std::pair{tenant, user});
}
std::optional<TenantId> IdentityState::tenant_with_slug(std::string_view slug) const {
    auto it = slugs_.find(std::string(slug));
    return it == slugs_.end() ? std::nullopt : std::optional(it->second);
}
std::optional<UserId> IdentityState::user_with_email(std::string_view email) const {
    auto it = emails_.find(std::string(email));
    return it == emails_.end() ? std::nullopt : std::optional(it->second);
}

std::optional<std::string_view> IdentityState::role_in(const TenantId& tenant,
                                                       const UserId& user) const {
    const auto* t = this->tenant(tenant);
    const auto* m = membership(tenant, user);
    if (t == nullptr || t->deleted || m == nullptr || m->revoked) return std::nullopt;
    return m->role;
}

bool IdentityState::permitted_anywhere(const UserId& user, auth::TenantAction action) const {
    for (const auto& [key, m] : memberships_) {
        if (key.second == user && role_in(key.first, user) && auth::role_permits(m.role, action)) {
            return true;
        }
    }
    return false;
}

using auth::Caller;
using auth::TenantAction;

Status require_live_caller(const IdentityState& state, const Caller& caller) {
    const auto* user = state.user(caller.user);
    if (user == nullptr || user->deleted) {
        return Error::make(ErrorKind::unauthorized, "user-unknown",
                           "the token's subject is not an active user");
    }
    return {};
}

Status require_tenant_action(const IdentityState& state, const Caller& caller,
                             const TenantId& tenant, auth::RoleSet permitted) {
    if (auto s = require_live_caller(state, caller); !s) return s;
    return auth::authorize_tenant_action(caller, state.role_in(tenant, caller.user), permitted);
}

namespace {

using auth::Caller;
using auth::TenantAction;

Status platform_admin(const IdentityState& state, const Caller& caller) {
    if (auto s = require_live_caller(state, caller); !s) return s;
    if (!caller.platform_admin) return auth::platform_admin_required();
    return {};
}

// Users are not tenant data: a caller sees only their own account unless a
// platform admin, and anyone else's is answered as missing.
Status own_account(const IdentityState& state, const Caller& caller, const UserId& target) {
    if (auto s = require_live_caller(state, caller); !s) return s;
    if (caller.platform_admin || caller.user == target) return {};
    return domain::not_found("user");
}

}  // namespace

Status authorize(const WriteModel& model, const Caller& caller, const CreateTenant&) {
    return platform_admin(model.identity, caller);
}
Status authorize(const WriteModel& model, const Caller& caller, const UpdateTenant& c) {
    return require_tenant_action(model.identity, caller, c.id,
                                 auth::permitted_roles(TenantAction::update_tenant));
}
Status authorize(const WriteModel& model, const Caller& caller, const DeleteTenant& c) {
    // Members learn it exists (403); others see nothing (404).
    if (auto s = require_tenant_action(model.identity, caller, c.id,
                                       auth::permitted_roles(TenantAction::read_tenant));
        !s)
        return s;
    return platform_admin(model.identity, caller);
}
Status authorize(const WriteModel& model, const Caller& caller, const RegisterUser&) {
    if (auto s = require_live_caller(model.identity, caller); !s) return s;
    if (caller.platform_admin ||
        model.identity.permitted_anywhere(caller.user, TenantAction::register_user)) {
        return {};
    }
    return Error::make(ErrorKind::forbidden, "forbidden",
                       "registering users needs the admin or manager role in a tenant");
}
Status authorize(const WriteModel& model, const Caller& caller, const UpdateUser& c) {
    return own_account(model.identity, caller, c.id);
}
Status authorize(const WriteModel& model, const Caller& caller, const DeleteUser& c) {
    if (auto s = own_account(model.identity, caller, c.id); !s) return s;
    return platform_admin(model.identity, caller);
}
Status authorize(const WriteModel& model, const Caller& caller, const PutMembership& c) {
    return require_tenant_action(model.identity, caller, c.tenant,
                                 auth::permitted_roles(TenantAction::manage_members));
}
Status authorize(const WriteModel& model, const Caller& caller, const RevokeMembership& c) {
    return require_tenant_action(model.identity, caller, c.tenant,
                                 auth::permitted_roles(TenantAction::manage_members));
}

Result<Decision> decide(const WriteModel& model, const CreateTenant& c) {
    const auto& state = model.identity;
    if (state.tenant(c.id) != nullptr) {
        return domain::conflict("tenant-exists", "tenant id already exists", "id");
    }
    auto fields = model::validate_create(model::kTenant.fields, c.body);
    if (!fields) return std::move(fields).error();
    if (auto s = check_unique(
            *fields, "slug", c.id, [&](const std::string& v) { return state.tenant_with_slug(v); },
            "slug");
        !s) {
        return std::move(s).error();
    }
    // A tenant's own history starts its partition: it is filed under itself.
    return single(event(model::kTenant.created, model::kTenant.name, c.id.uuid(), 1, c.id,
                        std::move(*fields)));
}

Result<Decision> decide(const WriteModel& model, const UpdateTenant& c) {
    const auto& state = model.identity;
    return decide_patch(state.tenant(c.id), "tenant", model::kTenant.fields, c.expected_version,
                        c.body, model::kTenant.updated, model::kTenant.name, c.id.uuid(), c.id,
                        [&](const boost::json::object& patch) {
                            return check_unique(
                                patch, "slug", c.id,
                                [&](const std::string& v) { return state.tenant_with_slug(v); },
                                "slug");
                        });
}

Result<Decision> decide(const WriteModel& model, const DeleteTenant& c) {
    const auto& state = model.identity;
    return decide_delete(state.tenant(c.id), "tenant", c.expected_version, model::kTenant.deleted,
                         model::kTenant.name, c.id.uuid(), c.id);
}

Result<Decision> decide(const WriteModel& model, const RegisterUser& c) {
    const auto& state = model.identity;
    if (state.user(c.id) != nullptr) {
        return domain::conflict("user-exists", "user id already exists", "id");
    }
    auto fields = model::validate_create(model::kUser.fields, c.body);
    if (!fields) return std::move(fields).error();
    if (auto s = check_unique(
            *fields, "email", c.id, [&](const std::string& v) { return state.user_with_email(v); },
            "email");
        !s) {
        return std::move(s).error();
    }
    return single(event(model::kUser.created, model::kUser.name, c.id.uuid(), 1, kPlatformTenant,
                        std::move(*fields)));
}

Result<Decision> decide(const WriteModel& model, const UpdateUser& c) {
    const auto& state = model.identity;
    return decide_patch(state.user(c.id), "user", model::kUser.fields, c.expected_version, c.body,
                        model::kUser.updated, model::kUser.name, c.id.uuid(), kPlatformTenant,
                        [&](const boost::json::object& patch) {
                            return check_unique(
                                patch, "email", c.id,
                                [&](const std::string& v) { return state.user_with_email(v); },
                                "email");
                        });
}

Result<Decision> decide(const WriteModel& model, const DeleteUser& c) {
    const auto& state = model.identity;
    return decide_delete(state.user(c.id), "user", c.expected_version, model::kUser.deleted,
                         model::kUser.name, c.id.uuid(), kPlatformTenant);
}

Result<Decision> decide(const WriteModel& model, const PutMembership& c) {
    const auto& state = model.identity;
    const auto* tenant = state.tenant(c.tenant);
    if (tenant == nullptr || tenant->deleted) return domain::not_found("tenant");
    const auto* user = state.user(c.user);
    if (user == nullptr || user->deleted) return domain::not_found("user");
    auto fields = model::validate_create(model::kMembership.fields, c.body);
    if (!fields) return std::move(fields).error();
    const std::string user_id = c.user.to_string();

    const auto* current = state.membership(c.tenant, c.user);
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
    const auto& state = model.identity;
    const auto* tenant = state.tenant(c.tenant);
    if (tenant == nullptr || tenant->deleted) return domain::not_found("tenant");
    const auto* current = state.membership(c.tenant, c.user);
    if (current == nullptr || current->revoked) return domain::not_found("membership");
    if (auto s = domain::check_version(current->version, c.expected_version); !s) {
        return std::move(s).error();
    }
    return single(event(model::kMembership.deleted, model::kMembership.name, current->id.uuid(),
                        current->version + 1, c.tenant, {{"user_id", c.user.to_string()}}));
}

}  // namespace cc::identity
