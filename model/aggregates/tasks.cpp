// Tasks: the team's to-dos, assigned to members, ordered by when they are due.
#include "model/aggregates/tasks.hpp"

#include "model/aggregates/common_fields.hpp"

namespace cc::model {
namespace {

constexpr std::string_view kStates[] = {"open", "in_progress", "done", "cancelled"};
constexpr std::string_view kPriorities[] = {"low", "normal", "high", "urgent"};
constexpr std::string_view kOpen[] = {"open"};
constexpr std::string_view kPending[] = {"open", "in_progress"};
constexpr std::string_view kClosed[] = {"done", "cancelled"};

constexpr std::string_view kAssignedDoc = "Who does it: a live member of the tenant.";

constexpr Field kFields[] = {
    {.name = "title", .max_length = 255, .required = true, .doc = "What is to be done."},
    {.name = "description", .doc = "Details, as free text."},
    {.name = "status",
     .type = FieldType::enumeration,
     .values = kStates,
     .set_by = Setter::lifecycle,
     .doc = "Where the task stands."},
    {.name = "priority",
     .type = FieldType::enumeration,
     .max_length = 20,
     .values = kPriorities,
     .default_value = "normal",
     .doc = "How urgent it is; normal when not said."},
    {.name = "due_date", .type = FieldType::timestamp, .doc = "When it is due, if ever."},
    {.name = "assigned_to",
     .type = FieldType::reference,
     .references = kTenantMember,
     .doc = kAssignedDoc},
    {.name = "patient_id",
     .type = FieldType::reference,
     .references = "patient",
     .doc = "The patient it concerns, if any: a live patient of the tenant."},
    {.name = "created_by",
     .type = FieldType::reference,
     .references = kTenantMember,
     .set_by = Setter::caller,
     .doc = "Who created it (the caller)."},
};

constexpr Field kAssignInputs[] = {{.name = "assigned_to",
                                    .type = FieldType::reference,
                                    .references = kTenantMember,
                                    .required = true,
                                    .doc = kAssignedDoc}};

// Anyone who works in care may keep the team's list moving.
constexpr auth::RoleSet kWorkers{"admin", "manager", "clinician", "carer"};

constexpr Action kActions[] = {
    {.name = "start",
     .event = "TaskStarted",
     .from = kOpen,
     .to = "in_progress",
     .roles = kWorkers,
     .doc = "Work on it has begun."},
    {.name = "complete",
     .event = "TaskCompleted",
     .from = kPending,
     .to = "done",
     .roles = kWorkers,
     .doc = "It is done."},
    {.name = "reopen",
     .event = "TaskReopened",
     .from = kClosed,
     .to = "open",
     .roles = kWorkers,
     .doc = "It needs doing again."},
    {.name = "cancel",
     .event = "TaskCancelled",
     .from = kPending,
     .to = "cancelled",
     .roles = kWorkers,
     .doc = "It will not be done."},
    {.name = "assign",
     .event = "TaskAssigned",
     .from = kPending,
     .inputs = kAssignInputs,
     .roles = kWorkers,
     .doc = "Give it to a member of the tenant."},
};

constexpr Filter kFilters[] = {
    {.parameter = "assigned_to", .field = "assigned_to"},
    {.parameter = "status", .field = "status"},
    fields::kByPatient,
    {.parameter = "overdue",
     .field = "due_date",
     .op = FilterOp::holds,
     .when_true = "t.due_date < now() AND t.status NOT IN ('done', 'cancelled')",
     .doc = "tasks past their due time and neither done nor cancelled"},
};

}  // namespace

constexpr Aggregate kTaskDescription{
    .name = "task",
    .title = "Task",
    .table = "tasks",
    .collection = "tasks",
    .id_param = "task_id",
    .created = "TaskCreated",
    .updated = "TaskUpdated",
    .deleted = "TaskDeleted",
    .updated_version = 2,
    .fields = kFields,
    .status = "status",
    .initial_state = "open",
    .actions = kActions,
    .permissions = {.read = fields::kCareReaders,
                    .create = kWorkers,
                    .update = kWorkers,
                    .remove = fields::kCareRemovers},
    .filters = kFilters,
    .sort = "due_date",
    .nested = fields::kUnderPatient,
    .feature = "tasks",
    .doc = "A to-do of the care team, optionally about a patient.",
};

const Aggregate& kTask = kTaskDescription;

}  // namespace cc::model
