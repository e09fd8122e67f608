// Medications: what a patient takes, without double entries.
#include "model/aggregates/medications.hpp"

#include "model/aggregates/common_fields.hpp"

namespace cc::model {
namespace {

constexpr Field kEndDate{.name = "end_date",
                         .type = FieldType::date,
                         .kept = true,
                         .doc = "The last day it is taken, if ended: on or after start_date."};

constexpr Field kFields[] = {
    fields::patient_id("Who takes it: a live patient of the tenant.", /*kept=*/true),
    {.name = "name",
     .max_length = 255,
     .required = true,
     .kept = true,
     .doc = "The medicine. A patient has no two current medications of one name, ignoring case."},
    {.name = "dosage", .max_length = 100, .required = true, .doc = "How much, e.g. 500 mg."},
    {.name = "frequency",
     .max_length = 100,
     .required = true,
     .doc = "How often, e.g. twice daily."},
    {.name = "start_date",
     .type = FieldType::date,
     .required = true,
     .kept = true,
     .doc = "The first day it is taken."},
    kEndDate,
    {.name = "prescriber", .max_length = 255, .doc = "Who prescribed it."},
    {.name = "notes", .doc = "Free-text notes."},
};

constexpr std::string_view kRules[] = {"end-not-before-start", "no-double-entry"};
constexpr std::string_view kDiscontinueRules[] = {"ends-today-unless-said", "end-not-before-start"};
constexpr Field kDiscontinueInputs[] = {kEndDate, fields::kReason};

constexpr Action kActions[] = {
    {.name = "discontinue",
     .event = "MedicationDiscontinued",
     .inputs = kDiscontinueInputs,
     .roles = fields::kCareWriters,
     .rules = kDiscontinueRules,
     .doc = "Stop it: end_date (default today) and a reason."},
};

constexpr Filter kFilters[] = {
    fields::kByPatient,
    {.parameter = "current",
     .field = "end_date",
     .op = FilterOp::holds,
     .when_true = "t.end_date IS NULL OR t.end_date >= CURRENT_DATE",
     .doc = "medications not ended before today"},
};

}  // namespace

constexpr Aggregate kMedicationDescription{
    .name = "medication",
    .title = "Medication",
    .table = "medications",
    .collection = "medications",
    .id_param = "medication_id",
    .created = "MedicationRecorded",
    .updated = "MedicationUpdated",
    .deleted = "MedicationDeleted",
    .updated_version = 2,
    .fields = kFields,
    .actions = kActions,
    .permissions = fields::kPatientRecord,
    .filters = kFilters,
    .nested = fields::kUnderPatient,
    .rules = kRules,
    .feature = "medications",
    .doc = "A medicine a patient takes, current or past.",
};

const Aggregate& kMedication = kMedicationDescription;

}  // namespace cc::model
