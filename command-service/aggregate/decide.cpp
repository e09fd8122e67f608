#include <boost/json.hpp>

#include "command-service/aggregate/commands.hpp"
#include "command-service/aggregate/features.hpp"
#include "command-service/aggregate/rules.hpp"
#include "command-service/domain/entity.hpp"
#include "command-service/identity/identity.hpp"
#include "command-service/write_model.hpp"
#include "model/validate.hpp"

namespace cc::aggregate {
namespace {

using domain::Decision;
using model::spoken;

const Store& store_of(const WriteModel& m, const model::Aggregate& a) {
    return *m.entities.of(a.name);
}

// Tenant data needs its tenant live; tenants and users stand on their own.
Status tenant_is_live(const WriteModel& m, const Target& t) {
    if (t.aggregate->scope != model::Scope::tenant) return {};
    const auto* tenant = identity::tenant_record(m, t.tenant);
    if (tenant == nullptr || tenant->deleted) return domain::not_found("tenant");
    return {};
}

// The entity a target names, and its id.
struct Named {
    Uuid id;
    const Record* record = nullptr;  // nullptr when none
};

// By its id, or for an aggregate whose items a field names (`put_by`), by
// that field's value; deleted or not.
Named find_named(const Store& store, const Target& t) {
    if (t.aggregate->put_by.empty()) return {t.id, store.find(t.tenant, t.id)};
    const auto id = store.named(t.tenant, t.id.to_string());
    return {id.value_or(t.id), id ? store.find(t.tenant, *id) : nullptr};
}

// An item named by a field lives at a path whose tenant must be live (a
// membership of a deleted tenant is gone with it).
Result<Named> named_entity(const WriteModel& m, const Target& t) {
    if (!t.aggregate->put_by.empty()) {
        if (auto s = tenant_is_live(m, t); !s) return std::move(s).error();
    }
    return find_named(store_of(m, *t.aggregate), t);
}

// The current entity, live and of this tenant, at the version the caller read.
Result<Named> live_entity(const WriteModel& m, const Target& t,
                          std::optional<std::int64_t> expected_version) {
    auto named = named_entity(m, t);
    if (!named) return named;
    if (named->record == nullptr || named->record->deleted) {
        return domain::not_found(spoken(t.aggregate->name));
    }
    if (auto s = domain::check_version(named->record->version, expected_version); !s) {
        return std::move(s).error();
    }
    return named;
}

// A PUT's path names a row of another aggregate (a membership's user): a
// value naming no live row answers 404, as any path naming nothing does.
Status named_row_is_live(const WriteModel& m, const Target& t) {
    const auto* field = t.aggregate->field(t.aggregate->put_by);
    const auto* store = field ? m.entities.of(field->references) : nullptr;
    if (store == nullptr) return {};
    const auto* record = store->find(filed_under(store->description(), t.id, t.tenant), t.id);
    if (record == nullptr || record->deleted) return domain::not_found(spoken(field->references));
    return {};
}

// A PUT whose path names the referenced row by a unique field of it (a
// tenant's feature by the feature's name) targets the row that holds it.
Result<Target> put_target(const WriteModel& m, const Put& c) {
    const auto& a = *c.target.aggregate;
    if (a.put_key.empty()) return c.target;
    const auto* field = a.field(a.put_by);
    const auto* store = field ? m.entities.of(field->references) : nullptr;
    if (store == nullptr) return domain::not_found(spoken(a.name));
    const auto holder = store->holder_of(
        a.put_key, filed_under(store->description(), Uuid{}, c.target.tenant), c.key);
    if (!holder) return domain::not_found(spoken(field->references));
    Target resolved = c.target;
    resolved.id = *holder;
    return resolved;
}

// References name live rows of the same tenant; a member reference names a
// user who is a live member of it.
Status check_references(const WriteModel& m, std::span<const model::Field> fields,
                        const TenantId& tenant, const boost::json::object& values) {
    for (const auto& field : fields) {
        // Server-set references (created_by) name the caller: already checked.
        if (field.type != model::FieldType::reference || field.set_by != model::Setter::client) {
            continue;
        }
        const auto* value = values.if_contains(field.name);
        if (value == nullptr || !value->is_string()) continue;
        const std::string name(field.name);
        const auto id = Uuid::parse(value->as_string());
        if (field.references == model::kTenantMember) {
            if (!id || !identity::role_in(m, tenant, UserId(*id))) {
                return model::invalid_field(name, "not_a_member",
                                            name + " must be a member of this tenant");
            }
            continue;
        }
        const auto* target = m.entities.of(field.references);
        const auto* record = target && id ? target->find(tenant, *id) : nullptr;
        if (record == nullptr || record->deleted) {
            return model::invalid_field(
                name, "not_found",
                name + " must be a live " + spoken(field.references) + " of this tenant");
        }
    }
    return {};
}

// `self` is the entity the step writes, which may hold its own values.
Status check_unique(const Store& store, const Target& t, const Uuid& self, const Record* current,
                    const boost::json::object& values) {
    for (const auto& key : t.aggregate->unique) {
        bool touched = false;
        boost::json::object merged;
        for (auto field : key.fields) {
            if (const auto* value = values.if_contains(field)) {
                merged[field] = *value;
                touched = true;
            } else if (current != nullptr) {
                merged[field] = std::string(store.kept(*current, field).value_or(""));
            }
        }
        if (!touched) continue;
        const auto holder = store.holder(key, t.tenant, merged);
        if (holder && *holder != self) {
            const std::string first(key.fields.front());
            const auto* value = merged.if_contains(first);
            const std::string shown =
                value && value->is_string() ? std::string(value->as_string()) : "";
            return domain::conflict(std::string(key.conflict),
                                    key.per_tenant
                                        ? "another " + spoken(t.aggregate->name) +
                                              " of this tenant has " + first + " " + shown
                                        : first + " '" + shown + "' is already in use",
                                    first);
        }
    }
    return {};
}

Status run_rule(std::string_view name, const RuleContext& context) {
    const auto rule = find_rule(name);
    if (rule == nullptr) {
        return Error::make(ErrorKind::internal, "rule-missing",
                           "no rule named " + std::string(name));
    }
    return rule(context);
}

// The live care professional of the tenant that a user works as, if any.
std::optional<std::string> care_professional_of(const WriteModel& m, const Target& t) {
    const auto* professionals = m.entities.of("care_professional");
    if (professionals == nullptr) return std::nullopt;
    const auto user = t.actor.to_string();
    for (const auto& [id, record] : professionals->records()) {
        if (record.tenant == t.tenant && !record.deleted &&
            professionals->kept(record, "user_id") == user) {
            return id.to_string();
        }
    }
    return std::nullopt;
}

// Fields a body leaves out (or sends null) that take their value from the
// caller. A default that cannot be found (a caller linked to no care
// professional) leaves the field out, for validation to name.
json::Body with_defaults(const WriteModel& m, const Target& t, std::span<const model::Field> fields,
                         json::Body body) {
    for (const auto& field : fields) {
        if (field.default_from == model::DefaultFrom::none) continue;
        const auto* sent = body.fields.if_contains(field.name);
        if (sent != nullptr && !sent->is_null()) continue;
        const auto value = field.default_from == model::DefaultFrom::caller
                               ? std::optional(t.actor.to_string())
                               : care_professional_of(m, t);
        if (value) body.fields[field.name] = *value;
    }
    return body;
}

// Fields the server sets: from the caller, the lifecycle, or (null until then) a rule.
void set_by_server(const Target& t, boost::json::object& values) {
    for (const auto& field : t.aggregate->fields) {
        if (field.set_by == model::Setter::caller) values[field.name] = t.actor.to_string();
        if (field.set_by == model::Setter::lifecycle)
            values[field.name] = t.aggregate->initial_state;
        // A created event carries every field; a rule may fill this one in.
        if (field.set_by == model::Setter::rule) values[field.name] = nullptr;
    }
}

// What the route computed fills fields set by a rule; an uploaded aggregate
// cannot be created without its file (no route does that, and the table
// needs them).
Status set_computed(const model::Aggregate& a, const boost::json::object& computed,
                    boost::json::object& values) {
    for (const auto& entry : computed) {
        const auto* field = a.field(entry.key());
        if (field == nullptr || field->set_by != model::Setter::rule) {
            return Error::make(ErrorKind::internal, "not-computed",
                               std::string(entry.key()) + " is not set by the server");
        }
        values[entry.key()] = entry.value();
    }
    if (a.upload != nullptr) {
        for (auto name : {a.upload->key, a.upload->type, a.upload->size}) {
            const auto* value = values.if_contains(name);
            if (value == nullptr || value->is_null()) {
                return Error::make(ErrorKind::internal, "upload-missing",
                                   model::a_spoken(a.name) + " is created by uploading a file");
            }
        }
    }
    return {};
}

bool allowed_in(std::span<const std::string_view> states, std::string_view state) {
    return states.empty() || std::find(states.begin(), states.end(), state) != states.end();
}

// `step` names what was tried: an action, or "update"/"delete" of an
// aggregate that changes only in some states (`changeable_in`).
Error invalid_transition(const Store& store, const Record& record, std::string_view step) {
    const auto& a = store.description();
    const auto state = store.state_name(record);
    std::string allowed;
    const auto allow = [&](std::string_view name) {
        if (!allowed.empty()) allowed += ", ";
        allowed += name;
    };
    if (!a.changeable_in.empty() && allowed_in(a.changeable_in, state)) {
        allow("update");
        allow("delete");
    }
    for (const auto& other : a.actions) {
        // Only steps a client may take are worth naming to one.
        if (other.by_server || other.from.empty() || !allowed_in(other.from, state)) continue;
        allow(other.name);
    }
    Error error = Error::make(
        ErrorKind::conflict, "invalid-transition",
        "cannot " + std::string(step) + " " + model::a_spoken(a.name) + " that is " +
            std::string(state) +
            (allowed.empty() ? "; no action is allowed now" : "; allowed now: " + allowed));
    error.fields.push_back({std::string(a.status), "invalid_transition", error.detail});
    return error;
}

// PATCH and DELETE of an aggregate that changes only in some states.
Status changeable(const Store& store, const Record& record, std::string_view step) {
    if (allowed_in(store.description().changeable_in, store.state_name(record))) return {};
    return invalid_transition(store, record, step);
}

// PATCH emits nothing when every patched field is kept and unchanged; other
// fields are not kept, so their change is recorded as sent.
bool changes_nothing(const Store& store, const Record& record, const boost::json::object& patch) {
    for (const auto& entry : patch) {
        const auto kept = store.kept(record, entry.key());
        if (!kept) return false;
        if (*kept != Store::text_of(entry.value())) return false;
    }
    return true;
}

Status run_rules(std::span<const std::string_view> names, const RuleContext& context) {
    for (auto name : names) {
        if (auto s = run_rule(name, context); !s) return s;
    }
    return {};
}

// The fields repeated in every event of the aggregate (a membership's user),
// as the entity holds them.
boost::json::object carried(const Store& store, const Record& record) {
    boost::json::object out;
    const auto values = store.values(record);
    for (auto field : store.description().carried) {
        if (const auto* value = values.if_contains(field)) out[field] = *value;
    }
    return out;
}

// The updated event that sets `patch` on the current entity, or nothing.
Decision updated(const Store& store, const Target& t, const Named& current,
                 const boost::json::object& patch) {
    const auto& a = store.description();
    const auto& record = *current.record;
    boost::json::object changes;
    if (a.updated_version == 1) {
        // Version 1 names each changed field's old value; the store keeps
        // every field of such an aggregate, so the diff is exact.
        changes = model::diff(store.values(record), patch);
        if (changes.empty()) return domain::unchanged(current.id, record.version);
    } else {
        if (changes_nothing(store, record, patch)) {
            return domain::unchanged(current.id, record.version);
        }
        for (const auto& entry : patch) {
            changes[entry.key()] = boost::json::object{{"new", entry.value()}};
        }
    }
    auto payload = carried(store, record);
    payload["changes"] = std::move(changes);
    return domain::single(domain::event(a.updated, a.name, current.id, record.version + 1, t.tenant,
                                        std::move(payload)));
}

}  // namespace

// The policy decides who may ask; a module its tenant has turned off then
// answers no one.
Status authorize(const WriteModel& m, const auth::Caller& caller, const Create& c) {
    const auto& a = *c.target.aggregate;
    if (auto s = identity::check_policy(m, caller, c.target, a.policies.create,
                                        a.permissions.create, /*existing=*/false);
        !s)
        return s;
    return require_feature(m, c.target);
}
Status authorize(const WriteModel& m, const auth::Caller& caller, const Patch& c) {
    const auto& a = *c.target.aggregate;
    if (auto s = identity::check_policy(m, caller, c.target, a.policies.update,
                                        a.permissions.update, /*existing=*/true);
        !s)
        return s;
    return require_feature(m, c.target);
}
Status authorize(const WriteModel& m, const auth::Caller& caller, const Delete& c) {
    const auto& a = *c.target.aggregate;
    if (auto s = identity::check_policy(m, caller, c.target, a.policies.remove,
                                        a.permissions.remove, /*existing=*/true);
        !s)
        return s;
    return require_feature(m, c.target);
}
// A PUT needs what the step it takes needs: a change of a live item, or
// its creation (a revival included).
Status authorize(const WriteModel& m, const auth::Caller& caller, const Put& c) {
    const auto& a = *c.target.aggregate;
    // A path naming nothing is decided (404) after the caller is known.
    const auto resolved = put_target(m, c);
    const auto& t = resolved ? *resolved : c.target;
    const auto* current = find_named(store_of(m, a), t).record;
    const bool change = current != nullptr && !current->deleted;
    if (auto s =
            identity::check_policy(m, caller, t, change ? a.policies.update : a.policies.create,
                                   change ? a.permissions.update : a.permissions.create, change);
        !s)
        return s;
    return require_feature(m, t);
}
Status authorize(const WriteModel& m, const auth::Caller& caller, const Act& c) {
    if (auto s = identity::require_tenant_action(m, caller, c.target.tenant, c.action->roles); !s)
        return s;
    return require_feature(m, c.target);
}

Result<Decision> decide(const WriteModel& m, const Create& c) {
    const auto& t = c.target;
    const auto& a = *t.aggregate;
    if (auto s = tenant_is_live(m, t); !s) return std::move(s).error();
    const auto& store = store_of(m, a);
    if (store.records().contains(t.id)) {
        return domain::conflict(std::string(a.name) + "-exists",
                                spoken(a.name) + " id already exists", "id");
    }
    auto values = model::validate_create(a.fields, with_defaults(m, t, a.fields, c.body));
    if (!values) return std::move(values).error();
    set_by_server(t, *values);
    if (auto s = set_computed(a, c.computed, *values); !s) return std::move(s).error();
    if (auto s = check_references(m, a.fields, t.tenant, *values); !s) return std::move(s).error();
    if (auto s = check_unique(store, t, t.id, nullptr, *values); !s) return std::move(s).error();
    if (auto s = run_rules(a.rules, {m, t, nullptr, *values, nullptr}); !s) {
        return std::move(s).error();
    }
    return domain::single(domain::event(a.created, a.name, t.id, 1, t.tenant, std::move(*values)));
}

Result<Decision> decide(const WriteModel& m, const Patch& c) {
    const auto& t = c.target;
    const auto& a = *t.aggregate;
    auto current = live_entity(m, t, c.expected_version);
    if (!current) return std::move(current).error();
    const auto& store = store_of(m, a);
    if (auto s = changeable(store, *current->record, "update"); !s) return std::move(s).error();
    auto patch = model::validate_patch(a.fields, c.body);
    if (!patch) return std::move(patch).error();
    if (auto s = check_references(m, a.fields, t.tenant, *patch); !s) return std::move(s).error();
    if (auto s = check_unique(store, t, current->id, current->record, *patch); !s) {
        return std::move(s).error();
    }
    if (auto s = run_rules(a.rules, {m, t, current->record, *patch, nullptr}); !s) {
        return std::move(s).error();
    }
    return updated(store, t, *current, *patch);
}

Result<Decision> decide(const WriteModel& m, const Put& c) {
    const auto resolved = put_target(m, c);
    if (!resolved) return resolved.error();
    const auto& t = *resolved;
    const auto& a = *t.aggregate;
    auto named = named_entity(m, t);
    if (!named) return std::move(named).error();
    if (auto s = named_row_is_live(m, t); !s) return std::move(s).error();
    // A PUT carries the whole item: a field it leaves out takes its default.
    auto values = model::validate_create(a.fields, c.body);
    if (!values) return std::move(values).error();
    const auto* current = named->record;
    const auto& store = store_of(m, a);
    if (current != nullptr && !current->deleted) {
        if (auto s = domain::check_version(current->version, c.expected_version); !s) {
            return std::move(s).error();
        }
        if (auto s = run_rules(a.rules, {m, t, current, *values, nullptr}); !s) {
            return std::move(s).error();
        }
        return updated(store, t, *named, *values);
    }
    // A deleted item is created again on its row, with its next version:
    // the documented UNIQUE constraint covers deleted rows too.
    const std::int64_t version = current ? current->version : 0;
    if (auto s = domain::check_version(version, c.expected_version); !s) {
        return std::move(s).error();
    }
    const Uuid id = current ? named->id : c.new_id;
    set_by_server(t, *values);
    (*values)[a.put_by] = t.id.to_string();
    if (auto s = check_references(m, a.fields, t.tenant, *values); !s) return std::move(s).error();
    if (auto s = check_unique(store, t, id, nullptr, *values); !s) return std::move(s).error();
    if (auto s = run_rules(a.rules, {m, t, nullptr, *values, nullptr}); !s) {
        return std::move(s).error();
    }
    return domain::single(
        domain::event(a.created, a.name, id, version + 1, t.tenant, std::move(*values)));
}

Result<Decision> decide(const WriteModel& m, const Delete& c) {
    const auto& t = c.target;
    const auto& a = *t.aggregate;
    auto current = live_entity(m, t, c.expected_version);
    if (!current) return std::move(current).error();
    if (auto s = changeable(store_of(m, a), *current->record, "delete"); !s) {
        return std::move(s).error();
    }
    if (!a.delete_rule.empty()) {
        boost::json::object none;
        if (auto s = run_rule(a.delete_rule, {m, t, current->record, none, nullptr}); !s) {
            return std::move(s).error();
        }
    }
    const auto& record = *current->record;
    return domain::single(domain::event(a.deleted, a.name, current->id, record.version + 1,
                                        t.tenant, carried(store_of(m, a), record)));
}

Result<Decision> decide(const WriteModel& m, const Act& c) {
    const auto& t = c.target;
    const auto& a = *t.aggregate;
    const auto& action = *c.action;
    auto current = live_entity(m, t, c.expected_version);
    if (!current) return std::move(current).error();
    const auto& record = *current->record;
    const auto& store = store_of(m, a);
    const auto state = store.state_name(record);
    if (!allowed_in(action.from, state)) return invalid_transition(store, record, action.name);
    auto values = model::validate_create(action.inputs, with_defaults(m, t, action.inputs, c.body));
    if (!values) return std::move(values).error();
    if (auto s = check_references(m, action.inputs, t.tenant, *values); !s) {
        return std::move(s).error();
    }
    if (auto s = check_unique(store, t, current->id, &record, *values); !s) {
        return std::move(s).error();
    }
    if (auto s = run_rules(action.rules, {m, t, &record, *values, &action}); !s) {
        return std::move(s).error();
    }
    if (!action.to.empty()) (*values)[a.status] = action.to;
    auto payload = carried(store, record);
    for (auto& entry : *values) payload[entry.key()] = std::move(entry.value());
    return domain::single(domain::event(action.event, a.name, current->id, record.version + 1,
                                        t.tenant, std::move(payload)));
}

}  // namespace cc::aggregate
