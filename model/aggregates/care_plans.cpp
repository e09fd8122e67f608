// Care plans: what a patient's care is meant to achieve, and its lifecycle.
#include "model/aggregates/care_plans.hpp"

#include "model/aggregates/common_fields.hpp"

namespace cc::model {
namespace {

constexpr std::string_view kStates[] = {"draft", "active", "under_review", "completed",
                                        "cancelled"};
constexpr std::string_view kActive[] = {"active"};
constexpr std::string_view kActivatable[] = {"draft", "under_review"};
constexpr std::string_view kRunning[] = {"active", "under_review"};
constexpr std::string_view kOpen[] = {"draft", "active", "under_review"};

constexpr Field kFields[] = {
    fields::patient_id("Whose plan it is: a live patient of the tenant.", /*kept=*/false),
    {.name = "title", .max_length = 255, .required = true, .doc = "What the plan is for."},
    {.name = "description", .doc = "Goals, interventions and who does what, as free text."},
    {.name = "start_date",
     .type = FieldType::date,
     .required = true,
     .kept = true,
     .doc = "The day the plan starts."},
    {.name = "end_date",
     .type = FieldType::date,
     .kept = true,
     .doc = "The day it ends, if known: on or after start_date."},
    {.name = "status",
     .type = FieldType::enumeration,
     .values = kStates,
     .set_by = Setter::lifecycle,
     .doc = "Where the plan stands in its lifecycle."},
    {.name = "created_by",
     .type = FieldType::reference,
     .references = kTenantMember,
     .set_by = Setter::caller,
     .doc = "Who wrote the plan (the caller)."},
};

constexpr std::string_view kRules[] = {"end-not-before-start"};

constexpr auth::RoleSet kPlanners = fields::kCareWriters;

constexpr Action kActions[] = {
    {.name = "activate",
     .event = "CarePlanActivated",
     .from = kActivatable,
     .to = "active",
     .roles = kPlanners,
     .doc = "The plan is in force (again, after a review)."},
    {.name = "review",
     .event = "CarePlanReviewStarted",
     .from = kActive,
     .to = "under_review",
     .roles = kPlanners,
     .doc = "The plan is being reviewed."},
    {.name = "complete",
     .event = "CarePlanCompleted",
     .from = kRunning,
     .to = "completed",
     .roles = kPlanners,
     .doc = "The plan has run its course."},
    {.name = "cancel",
     .event = "CarePlanCancelled",
     .from = kOpen,
     .to = "cancelled",
     .roles = kPlanners,
     .doc = "The plan is abandoned."},
};

constexpr Filter kFilters[] = {
    fields::kByPatient,
    {.parameter = "status", .field = "status"},
};

}  // namespace

constexpr Aggregate kCarePlanDescription{
    .name = "care_plan",
    .title = "CarePlan",
    .table = "care_plans",
    .collection = "care-plans",
    .id_param = "care_plan_id",
    .created = "CarePlanCreated",
    .updated = "CarePlanUpdated",
    .deleted = "CarePlanDeleted",
    .updated_version = 2,
    .fields = kFields,
    .status = "status",
    .initial_state = "draft",
    .actions = kActions,
    .permissions = fields::kPatientRecord,
    .filters = kFilters,
    .nested = fields::kUnderPatient,
    .rules = kRules,
    .feature = "care_plans",
    .doc = "A patient's plan of care, drafted, put in force, reviewed and closed.",
};

const Aggregate& kCarePlan = kCarePlanDescription;

}  // namespace cc::model
