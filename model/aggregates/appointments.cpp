// Appointments: home visits on the rota, with their lifecycle.
#include "model/aggregates/appointments.hpp"

#include "model/aggregates/common_fields.hpp"

namespace cc::model {
namespace {

constexpr std::string_view kStates[] = {"scheduled", "confirmed", "in_progress",
                                        "completed", "cancelled", "no_show"};
constexpr std::string_view kBooked[] = {"scheduled", "confirmed"};
constexpr std::string_view kScheduled[] = {"scheduled"};
constexpr std::string_view kInProgress[] = {"in_progress"};

constexpr Field kPatientId =
    fields::patient_id("The patient visited: a live patient of the tenant.", /*kept=*/true);
constexpr Field kCareProfessionalId{
    .name = "care_professional_id",
    .type = FieldType::reference,
    .references = "care_professional",
    .required = true,
    .immutable = true,  // changed by the reassign step, which checks for clashes
    .kept = true,
    .doc = "Who visits: a live care professional of the tenant, with no overlapping visit."};
constexpr Field kStartTime{.name = "start_time",
                           .type = FieldType::timestamp,
                           .required = true,
                           .immutable = true,  // changed by the reschedule step
                           .kept = true,
                           .doc = "Start of the visit (RFC 3339 with an offset; stored UTC)."};
constexpr Field kEndTime{.name = "end_time",
                         .type = FieldType::timestamp,
                         .required = true,
                         .immutable = true,
                         .kept = true,
                         .doc =
                             "End of the visit: after the start, at most 24 hours later. "
                             "Intervals are half-open [start, end)."};

constexpr Field kFields[] = {
    kPatientId,
    kCareProfessionalId,
    kStartTime,
    kEndTime,
    {.name = "status",
     .type = FieldType::enumeration,
     .values = kStates,
     .set_by = Setter::lifecycle,
     .doc = "Where the visit stands in its lifecycle."},
    {.name = "notes", .doc = "Free-text notes for the visit."},
    {.name = "location", .max_length = 255, .doc = "Where the visit takes place, if not at home."},
};

constexpr std::string_view kRules[] = {"appointment-times", "carer-free"};
constexpr std::string_view kCarerFree[] = {"carer-free"};
constexpr std::string_view kStarted[] = {"started-already"};

constexpr Field kRescheduleInputs[] = {kStartTime, kEndTime};
constexpr Field kReassignInputs[] = {kCareProfessionalId};
constexpr Field kReasonInput[] = {fields::kReason};

// Booking is for coordinators and clinicians; carers mark their own visits
// started, done or missed.
constexpr auth::RoleSet kBookers = fields::kCareWriters;
constexpr auth::RoleSet kVisitors{"admin", "manager", "clinician", "carer"};

constexpr Action kActions[] = {
    {.name = "confirm",
     .event = "AppointmentConfirmed",
     .from = kScheduled,
     .to = "confirmed",
     .roles = kBookers,
     .doc = "The visit is agreed with the patient."},
    {.name = "start",
     .event = "AppointmentStarted",
     .from = kBooked,
     .to = "in_progress",
     .roles = kVisitors,
     .doc = "The carer has arrived."},
    {.name = "complete",
     .event = "AppointmentCompleted",
     .from = kInProgress,
     .to = "completed",
     .roles = kVisitors,
     .doc = "The visit is done."},
    {.name = "cancel",
     .event = "AppointmentCancelled",
     .from = kBooked,
     .to = "cancelled",
     .inputs = kReasonInput,
     .roles = kBookers,
     .doc = "The visit will not happen; a reason is required."},
    {.name = "no-show",
     .event = "AppointmentMissed",
     .from = kBooked,
     .to = "no_show",
     .roles = kVisitors,
     .rules = kStarted,
     .doc = "Nobody was there: only once the start time has passed."},
    {.name = "reschedule",
     .event = "AppointmentRescheduled",
     .from = kBooked,
     .inputs = kRescheduleInputs,
     .roles = kBookers,
     .rules = kRules,
     .doc = "New times, checked for the carer's clashes; only while scheduled or confirmed."},
    {.name = "reassign",
     .event = "AppointmentReassigned",
     .from = kBooked,
     .inputs = kReassignInputs,
     .roles = kBookers,
     .rules = kCarerFree,
     .doc = "Another care professional, checked for clashes."},
};

constexpr Filter kFilters[] = {
    fields::kByPatient,
    {.parameter = "care_professional_id", .field = "care_professional_id"},
    {.parameter = "status", .field = "status"},
    {.parameter = "from", .field = "start_time", .op = FilterOp::at_least},
    {.parameter = "to", .field = "start_time", .op = FilterOp::before},
};

// A carer's schedule and a patient's visits, with the same filters (from, to, status).
constexpr NestedList kNested[] = {
    {.parent = "care_professional", .field = "care_professional_id"},
    {.parent = "patient", .field = "patient_id"},
};

}  // namespace

constexpr Aggregate kAppointmentDescription{
    .name = "appointment",
    .title = "Appointment",
    .table = "appointments",
    .collection = "appointments",
    .id_param = "appointment_id",
    .created = "AppointmentScheduled",
    .updated = "AppointmentUpdated",
    .deleted = "AppointmentDeleted",
    .updated_version = 2,
    .fields = kFields,
    .status = "status",
    .initial_state = "scheduled",
    .actions = kActions,
    .permissions = fields::kPatientRecord,
    .filters = kFilters,
    .sort = "start_time",
    .nested = kNested,
    .rules = kRules,
    .feature = "appointments",
    .doc =
        "A visit of a care professional to a patient. A care professional never holds two "
        "overlapping visits that are not cancelled or missed; two carers on one visit is "
        "normal.",
};

const Aggregate& kAppointment = kAppointmentDescription;

}  // namespace cc::model
