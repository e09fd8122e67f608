#pragma once
// The commands every described aggregate takes, derived from its
// description: create, patch, delete, and its lifecycle actions. authorize()
// and decide() are pure functions of (write model, command).
#include <boost/json/object.hpp>

#include <optional>

#include "command-service/domain/decision.hpp"
#include "model/description.hpp"
#include "platform/auth/permissions.hpp"
#include "platform/core/json.hpp"
#include "platform/core/time.hpp"

namespace cc::command {
struct WriteModel;
}

namespace cc::aggregate {

using command::WriteModel;

// What every command of an aggregate carries.
struct Target {
    const model::Aggregate* aggregate = nullptr;
    TenantId tenant;  // the tenant it is filed under (aggregate/store.hpp: filed_under)
    // The entity's id; for an aggregate whose items are named by a field
    // (`put_by`: a membership by its user), that field's value.
    Uuid id;
    UserId actor;   // fields set from the caller (created_by)
    Timestamp now;  // rules about "today" and "not in the future" are judged against it
    // Whether the caller is a platform administrator: some rules of platform
    // settings (premium features) are theirs alone.
    bool platform_admin = false;
};

struct Create {
    Target target;
    json::Body body;
    // Values the route worked out from what the request carried besides its
    // JSON (an upload's blob key, type and size), for fields set by a rule.
    boost::json::object computed = {};
};
struct Patch {
    Target target;
    std::optional<std::int64_t> expected_version;
    json::Body body;
};
struct Delete {
    Target target;
    std::optional<std::int64_t> expected_version;
};
// PUT .../{value} of an aggregate named by a field (`put_by`): creates the
// item, revives a deleted one on its row, or changes a live one.
struct Put {
    Target target;
    Uuid new_id;  // the item's id when the value names no row yet
    // With `put_key`: the path's text, naming the referenced row by that
    // field (a feature's name); the target's id is resolved from it.
    std::string key;
    std::optional<std::int64_t> expected_version;
    json::Body body;
};
struct Act {
    Target target;
    const model::Action* action = nullptr;
    std::optional<std::int64_t> expected_version;
    json::Body body;
};

Status authorize(const WriteModel& model, const auth::Caller& caller, const Create& command);
Status authorize(const WriteModel& model, const auth::Caller& caller, const Patch& command);
Status authorize(const WriteModel& model, const auth::Caller& caller, const Delete& command);
Status authorize(const WriteModel& model, const auth::Caller& caller, const Put& command);
Status authorize(const WriteModel& model, const auth::Caller& caller, const Act& command);

Result<domain::Decision> decide(const WriteModel& model, const Create& command);
Result<domain::Decision> decide(const WriteModel& model, const Patch& command);
Result<domain::Decision> decide(const WriteModel& model, const Delete& command);
Result<domain::Decision> decide(const WriteModel& model, const Put& command);
Result<domain::Decision> decide(const WriteModel& model, const Act& command);

}  // namespace cc::aggregate
