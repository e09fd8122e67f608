#include <boost/json.hpp>

#include "command-service/aggregate/commands.hpp"
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

// The current entity, live and of this tenant, at the version the caller read.
Result<const Record*> live_entity(const WriteModel& m, const Target& t,
                                  std::optional<std::int64_t> expected_version) {
    const auto* record = store_of(m, *t.aggregate).find(t.tenant, t.id);
    if (record == nullptr || record->deleted) return domain::not_found(spoken(t.aggregate->name));
    if (auto s = domain::check_version(record->version, expected_version); !s) {
        return std::move(s).error();
    }
    return record;
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

Status check_unique(const Store& store, const Target& t, const Record* current,
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
        if (holder && *holder != t.id) {
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

// Fields the server sets from the caller or the lifecycle.
void set_by_server(const Target& t, boost::json::object& values) {
    for (const auto& field : t.aggregate->fields) {
        if (field.set_by == model::Setter::caller) values[field.name] = t.actor.to_string();
        if (field.set_by == model::Setter::lifecycle)
            values[field.name] = t.aggregate->initial_state;
    }
}

Error invalid_transition(const Store& store, const Record& record, const model::Action& action) {
    const auto state = store.state_name(record);
    std::string allowed;
    for (const auto& other : store.description().actions) {
        if (std::find(other.from.begin(), other.from.end(), state) == other.from.end()) continue;
        if (!allowed.empty()) allowed += ", ";
        allowed += other.name;
    }
    Error error = Error::make(
        ErrorKind::conflict, "invalid-transition",
        "cannot " + std::string(action.name) + " a " + spoken(store.description().name) +
            " that is " + std::string(state) +
            (allowed.empty() ? "; no action is allowed now" : "; allowed now: " + allowed));
    error.fields.push_back(
        {std::string(store.description().status), "invalid_transition", error.detail});
    return error;
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

}  // namespace

Status authorize(const WriteModel& m, const auth::Caller& caller, const Create& c) {
    const auto& a = *c.target.aggregate;
    return identity::check_policy(m, caller, c.target, a.policies.create, a.permissions.create,
                                  /*existing=*/false);
}
Status authorize(const WriteModel& m, const auth::Caller& caller, const Patch& c) {
    const auto& a = *c.target.aggregate;
    return identity::check_policy(m, caller, c.target, a.policies.update, a.permissions.update,
                                  /*existing=*/true);
}
Status authorize(const WriteModel& m, const auth::Caller& caller, const Delete& c) {
    const auto& a = *c.target.aggregate;
    return identity::check_policy(m, caller, c.target, a.policies.remove, a.permissions.remove,
                                  /*existing=*/true);
}
Status authorize(const WriteModel& m, const auth::Caller& caller, const Act& c) {
    return identity::require_tenant_action(m, caller, c.target.tenant, c.action->roles);
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
    auto values = model::validate_create(a.fields, c.body);
    if (!values) return std::move(values).error();
    set_by_server(t, *values);
    if (auto s = check_references(m, a.fields, t.tenant, *values); !s) return std::move(s).error();
    if (auto s = check_unique(store, t, nullptr, *values); !s) return std::move(s).error();
    for (auto rule : a.rules) {
        if (auto s = run_rule(rule, {m, t, nullptr, *values, nullptr}); !s) {
            return std::move(s).error();
        }
    }
    return domain::single(domain::event(a.created, a.name, t.id, 1, t.tenant, std::move(*values)));
}

Result<Decision> decide(const WriteModel& m, const Patch& c) {
    const auto& t = c.target;
    const auto& a = *t.aggregate;
    auto current = live_entity(m, t, c.expected_version);
    if (!current) return std::move(current).error();
    auto patch = model::validate_patch(a.fields, c.body);
    if (!patch) return std::move(patch).error();
    if (auto s = check_references(m, a.fields, t.tenant, *patch); !s) return std::move(s).error();
    const auto& store = store_of(m, a);
    if (auto s = check_unique(store, t, *current, *patch); !s) return std::move(s).error();
    for (auto rule : a.rules) {
        if (auto s = run_rule(rule, {m, t, *current, *patch, nullptr}); !s) {
            return std::move(s).error();
        }
    }
    boost::json::object changes;
    if (a.updated_version == 1) {
        // Version 1 names each changed field's old value; the store keeps
        // every field of such an aggregate, so the diff is exact.
        changes = model::diff(store.values(**current), *patch);
        if (changes.empty()) return domain::unchanged(t.id, (*current)->version);
    } else {
        if (changes_nothing(store, **current, *patch))
            return domain::unchanged(t.id, (*current)->version);
        for (auto& entry : *patch)
            changes[entry.key()] = boost::json::object{{"new", entry.value()}};
    }
    return domain::single(domain::event(a.updated, a.name, t.id, (*current)->version + 1, t.tenant,
                                        {{"changes", std::move(changes)}}));
}

Result<Decision> decide(const WriteModel& m, const Delete& c) {
    const auto& t = c.target;
    const auto& a = *t.aggregate;
    auto current = live_entity(m, t, c.expected_version);
    if (!current) return std::move(current).error();
    if (!a.delete_rule.empty()) {
        boost::json::object none;
        if (auto s = run_rule(a.delete_rule, {m, t, *current, none, nullptr}); !s) {
            return std::move(s).error();
        }
    }
    return domain::single(
        domain::event(a.deleted, a.name, t.id, (*current)->version + 1, t.tenant, {}));
}

Result<Decision> decide(const WriteModel& m, const Act& c) {
    const auto& t = c.target;
    const auto& a = *t.aggregate;
    const auto& action = *c.action;
    auto current = live_entity(m, t, c.expected_version);
    if (!current) return std::move(current).error();
    const auto& store = store_of(m, a);
    const auto state = store.state_name(**current);
    if (!action.from.empty() &&
        std::find(action.from.begin(), action.from.end(), state) == action.from.end()) {
        return invalid_transition(store, **current, action);
    }
    auto values = model::validate_create(action.inputs, c.body);
    if (!values) return std::move(values).error();
    if (auto s = check_references(m, action.inputs, t.tenant, *values); !s) {
        return std::move(s).error();
    }
    if (auto s = check_unique(store, t, *current, *values); !s) return std::move(s).error();
    for (auto rule : action.rules) {
        if (auto s = run_rule(rule, {m, t, *current, *values, &action}); !s) {
            return std::move(s).error();
        }
    }
    if (!action.to.empty()) (*values)[a.status] = action.to;
    return domain::single(domain::event(action.event, a.name, t.id, (*current)->version + 1,
                                        t.tenant, std::move(*values)));
}

}  // namespace cc::aggregate
