#pragma once
// One description per aggregate (DESIGN.md): its table, typed fields,
// uniqueness, lifecycle, permissions, filters and sort key, written once as
// constexpr data. Everything else is derived from it: command validation and
// the decider's generic steps, the write model's compact fold, the projector
// mapping, the query resource, the HTTP routes, the permission rows, and the
// contracts (event JSON Schemas, AsyncAPI, OpenAPI) that
// `complexcare-contracts` generates. Pure data: no Beast, Kafka or libpqxx.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "platform/auth/permissions.hpp"

namespace cc::model {

enum class FieldType : std::uint8_t {
    text,         // TEXT, or VARCHAR(max_length)
    date,         // DATE: YYYY-MM-DD
    timestamp,    // TIMESTAMPTZ: RFC 3339 with an offset in, UTC out
    decimal,      // DECIMAL(precision, scale): carried as decimal text, never a double
    integer,      // INTEGER
    boolean,      // BOOLEAN (absent on create: false)
    text_array,   // TEXT[]
    enumeration,  // VARCHAR holding one of `values`
    reference,    // UUID of a live aggregate of the same tenant (`references`)
};

// Who sets a field's value.
enum class Setter : std::uint8_t {
    client,     // the request body
    caller,     // the caller's user id (created_by, uploaded_by)
    lifecycle,  // the status column: the initial state, then the actions' results
    rule,       // a named rule computes it (allocated numbers, derived sizes)
};

// Where a create (or an action input) takes a field's value when the body
// leaves it out or sends null: the caller is assumed to act for themselves.
enum class DefaultFrom : std::uint8_t {
    none,
    caller,                    // the caller's user id (who conducted an assessment)
    caller_care_professional,  // the tenant's live care professional whose user_id is the caller
};

// `references` of a reference field that names no aggregate but "a live
// member of the tenant" (a user id): users are platform-level rows.
inline constexpr std::string_view kTenantMember = "member";

struct Field {
    std::string_view name;  // JSON key, event payload key, and the column unless `column` says
    // The column when it differs from the API name: the documented
    // `policies.version` (a policy's label) is `policy_version` in JSON,
    // because every read already answers `version` (the entity version).
    std::string_view column = {};
    FieldType type = FieldType::text;
    std::size_t max_length = 0;  // text: characters (VARCHAR(n)); 0 = TEXT
    int precision = 0;           // decimal(precision, scale)
    int scale = 0;
    bool non_negative = false;                      // decimal, integer
    std::span<const std::string_view> values = {};  // enumeration
    std::string_view references = {};  // reference: an aggregate's name, or kTenantMember
    bool required = false;
    std::string_view default_value = {};  // an absent optional text or enum on create
    Setter set_by = Setter::client;
    DefaultFrom default_from = DefaultFrom::none;  // a client field's value when not sent
    bool immutable = false;                        // fixed at creation: a PATCH naming it gets 422
    bool kept = false;        // the write model keeps it because a rule reads it
    bool lower_case = false;  // normalised before checks (emails)
    std::string (*normalise)(std::string_view) = nullptr;  // applied before checks
    bool (*format)(std::string_view) = nullptr;            // the product's format rule
    std::string_view format_message = {};
    std::string_view pattern = {};  // the same rule as a JSON Schema pattern, for the contracts
    std::string_view doc = {};

    constexpr std::string_view column_name() const { return column.empty() ? name : column; }
};

// A value, or values, that no two rows may share.
struct UniqueKey {
    std::span<const std::string_view> fields;
    std::string_view conflict = {};  // problem type of the 409, e.g. "nhs-number-taken"
    bool per_tenant = true;          // false: unique across the platform (slugs, emails)
    bool case_insensitive = false;
    // The documented UNIQUE constraints cover soft-deleted rows; a rule
    // written for live rows only (NHS numbers) frees the value on delete.
    bool freed_on_delete = true;
};

// A lifecycle step: POST .../{id}/<name>.
struct Action {
    std::string_view name;
    std::string_view event;
    std::span<const std::string_view> from = {};  // the states it is allowed from (all if empty)
    std::string_view to = {};                     // the resulting state ("" keeps it)
    // What the step takes. Inputs named like a field are validated by that
    // field's rules and written to its column; others (a reason) travel in
    // the event and the audit row only.
    std::span<const Field> inputs = {};
    auth::RoleSet roles = {};
    // Hand-written rules run after the generic checks, by name.
    std::span<const std::string_view> rules = {};
    // Taken by the command service itself when time makes it due (an
    // invoice becoming overdue), never by a client: no route, no role, no
    // permission row; its event is catalogued like any other.
    bool by_server = false;
    // The step takes the item out of lists and refuses further commands, as
    // a delete does, but with inputs (a note entered in error, with a reason).
    bool removes = false;
    std::string_view doc = {};
};

struct Permissions {
    auth::RoleSet read = {};
    auth::RoleSet create = {};
    auth::RoleSet update = {};
    auth::RoleSet remove = {};
};

// Who may take a command step. Tenant data is governed by roles in its
// tenant; the identity core's tenants and users are platform rows, governed
// by who the caller is as much as by a role (auth/permissions.hpp).
enum class Policy : std::uint8_t {
    tenant_role,     // a role in the row's tenant that the step's RoleSet grants
    platform_admin,  // platform administrators; a caller who can read the row gets 403, others 404
    own_account,     // the caller's own row, or a platform administrator; another's answers 404
    registrar,       // a platform administrator, or a member whose role registers users somewhere
    // a role in the row's tenant, or a platform administrator: platform
    // administration of a tenant's settings (its features), not its records
    tenant_role_or_platform_admin,
    // a platform administrator, or a role in the row's tenant for a user the
    // caller already shares a tenant with (or registered, while the user
    // belongs to none): anyone else's account is answered as missing, so
    // enrolment cannot probe which user ids exist (a membership's grant)
    enrolment,
};

struct Policies {
    Policy create = Policy::tenant_role;
    Policy update = Policy::tenant_role;
    Policy remove = Policy::tenant_role;
};

enum class FilterOp : std::uint8_t {
    equals,    // column = value
    at_least,  // column >= value (a range's start)
    before,    // column < value (a range's end, half-open)
    contains,  // array column @> ARRAY[value]
    holds,     // ?name=true|false: `when_true` holds, or does not (current medications)
    on,  // ?name=<value>: `when_true` holds with {} standing for the value (in force on a day)
};

struct Filter {
    std::string_view parameter;  // the query-string name
    std::string_view field;      // a field of the aggregate, "id", "created_at" or "updated_at"
    FilterOp op = FilterOp::equals;
    std::string (*normalise)(std::string_view) = nullptr;
    // holds and on: a condition on the row `t` (SQL), and what it means, for the contract.
    std::string_view when_true = {};
    std::string_view doc = {};
};

// A list of the aggregate under one of its references, e.g. a carer's
// schedule: GET .../<parent collection>/{<parent id>}/<collection>.
struct NestedList {
    std::string_view parent;  // the referenced aggregate's name
    std::string_view field;   // the reference field that names it
};

// An aggregate created by uploading a file (a document): the fields the
// server sets from the bytes it stored. POST .../<collection> takes the file
// (raw, or multipart/form-data) instead of JSON, the command service puts it
// in the blob store before it appends, and GET .../{id}/content on the
// query service answers it.
struct Upload {
    std::string_view key;   // the blob key, "sha256/<2 hex>/<64 hex>": never a client's path
    std::string_view type;  // the allowed type the content's magic bytes show (file_types.hpp)
    std::string_view size;  // bytes
};

// Where an aggregate's events are filed and its rows live.
enum class Scope : std::uint8_t {
    tenant,    // tenant-scoped: /v1/tenants/{tenant_id}/<collection>, keyed by the tenant
    platform,  // platform-level rows (users, features), filed under the platform tenant
    own,       // the tenant itself: its id is its own tenant
};

struct Aggregate {
    std::string_view name;        // aggregate_type and entity_versions.entity_type
    std::string_view title;       // schema component name, e.g. "Patient"
    std::string_view table;       // the documented table
    std::string_view collection;  // URL segment, e.g. "care-professionals"
    std::string_view id_param;    // URL parameter of an item, e.g. "patient_id"
    Scope scope = Scope::tenant;
    std::string_view created = {};  // event names
    std::string_view updated = {};
    std::string_view deleted = {};  // "" for none: the item is never deleted
    // The updated event's schema_version. Version 2 carries only the new
    // values ({"changes": {field: {"new": v}}}): the write model keeps no
    // copy of every field, and the projector reads the old values from the
    // row for the audit trail. Version 1 events (with "old") read the same.
    int updated_version = 1;
    std::span<const Field> fields;
    // Fields repeated in every event of the aggregate besides the created
    // one, so a consumer needs no state to place it (a membership's user).
    std::span<const std::string_view> carried = {};
    std::span<const UniqueKey> unique = {};
    std::string_view status = {};         // the lifecycle field ("" for none)
    std::string_view initial_state = {};  // its value on creation
    std::span<const Action> actions = {};
    // The states in which PATCH and DELETE are allowed (any if empty); in
    // another, they get 409 invalid-transition like a step from a wrong state.
    std::span<const std::string_view> changeable_in = {};
    Permissions permissions = {};
    Policies policies = {};
    std::span<const Filter> filters = {};
    std::span<const std::string_view> search = {};  // ?q=: case-insensitive prefix on any of them
    std::string_view sort = {};                     // keyset order: (sort, id); "" for id alone
    // A required field that orders the ties of `sort` (people by last name,
    // then first name): the order is (sort, then_sort, id).
    std::string_view then_sort = {};
    bool sort_descending = false;  // newest first (notes by their date)
    std::span<const NestedList> nested = {};
    // A decimal field totalled per lifecycle state, exactly, at
    // GET .../<collection>/summary (with the list's filters); "" for none.
    std::string_view totals = {};
    // Hand-written rules run on create and update, by name (the command
    // service holds them; a test checks every name has one).
    std::span<const std::string_view> rules = {};
    std::string_view delete_rule = {};  // a hand-written rule run before a delete
    // A field naming an item in its path instead of its id, unique per
    // tenant by one of `unique` (a membership by its user). PUT .../{value}
    // then creates the item, revives a deleted one on its row or changes it,
    // and DELETE .../{value} deletes it; there is no POST or PATCH.
    std::string_view put_by = {};
    // With `put_by` a reference: the path names the referenced row by this
    // unique field of it instead of its id (a tenant's feature by its name).
    std::string_view put_key = {};
    // The module feature that gates the aggregate: while it is off for a
    // tenant, the aggregate's commands and reads there answer 403
    // feature-disabled. "" for the core every tenant has.
    std::string_view feature = {};
    // Created by uploading a file: which fields the stored bytes set.
    const Upload* upload = nullptr;
    // Whether the table has deleted_at. Without it (features) a delete
    // removes the row, and the rows of other tables that refer to it.
    bool soft_delete = true;
    std::string_view doc = {};

    const Field* field(std::string_view field_name) const {
        for (const auto& f : fields)
            if (f.name == field_name) return &f;
        return nullptr;
    }
    const Action* action(std::string_view action_name) const {
        for (const auto& a : actions)
            if (a.name == action_name) return &a;
        return nullptr;
    }
    const Action* action_for_event(std::string_view event_type) const {
        for (const auto& a : actions)
            if (a.event == event_type) return &a;
        return nullptr;
    }
    // Tenant data whose routes, reads and permission rows all derive from
    // this description. The identity core's aggregates are read through
    // routes of their own and governed by the permission matrix.
    bool tenant_data() const { return scope == Scope::tenant && put_by.empty(); }
};

// A module feature every installation has from its first start: a tenant may
// turn it off, which gates the aggregates that name it.
struct BuiltinFeature {
    std::string_view name;
    std::string_view description;
};
std::span<const BuiltinFeature> builtin_features();

// Every aggregate the product has, in a stable order.
std::span<const Aggregate* const> aggregates();
const Aggregate* find_aggregate(std::string_view name);

// SQL type of a field's column, as the documented schema writes it.
std::string sql_type(const Field& field);

// A column a filter or sort key may name: one of the aggregate's fields, or
// a column every documented table has (id, created_at, updated_at).
// nullptr for anything else.
const Field* column_field(const Aggregate& aggregate, std::string_view name);

// "care_professional" -> "care professional", for messages and documents.
std::string spoken(std::string_view name);
// "an invoice", "a task": spoken, with its article.
std::string a_spoken(std::string_view name);

}  // namespace cc::model
