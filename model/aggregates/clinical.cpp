// The clinical record: notes, amended but never overwritten, and the
// categories they are filed under.
#include "model/aggregates/clinical.hpp"

#include "model/aggregates/common_fields.hpp"

namespace cc::model {
namespace {

constexpr std::string_view kCategoryName[] = {"name"};

constexpr Field kCategoryFields[] = {
    {.name = "name",
     .max_length = 255,
     .required = true,
     .doc = "The category, unique among the tenant's live categories, ignoring case."},
    {.name = "description", .doc = "What belongs in it."},
};

constexpr UniqueKey kCategoryUnique[] = {
    {.fields = kCategoryName, .conflict = "category-name-taken", .case_insensitive = true},
};

// Notes are patient-identifiable: those who deliver or oversee care read
// them; finance and viewers do not.
constexpr auth::RoleSet kNoteWriters{"admin", "manager", "clinician", "carer"};

constexpr Field kContent{.name = "content",
                         .required = true,
                         .immutable = true,  // amended, never overwritten
                         .doc = "What was observed or done."};

constexpr Field kNoteFields[] = {
    fields::patient_id("Whom the note is about: a live patient of the tenant.", /*kept=*/false),
    {.name = "care_professional_id",
     .type = FieldType::reference,
     .references = "care_professional",
     .required = true,
     .default_from = DefaultFrom::caller_care_professional,
     .immutable = true,
     .kept = true,
     .doc = "The author: a live care professional of the tenant; by default the caller's own. "
            "Clinicians and carers write only as themselves."},
    {.name = "note_date",
     .type = FieldType::timestamp,
     .required = true,
     .immutable = true,
     .doc = "When the care it records happened: not more than 5 minutes in the future."},
    kContent,
    {.name = "category_id",
     .type = FieldType::reference,
     .references = "clinical_note_category",
     .immutable = true,
     .doc = "A live category of the tenant, if any."},
};

constexpr std::string_view kNoteRules[] = {"writes-as-self", "note-date-not-future"};
constexpr std::string_view kOwnNote[] = {"writes-as-self"};
constexpr Field kAmendInputs[] = {kContent, fields::kReason};
constexpr Field kReasonInput[] = {fields::kReason};

constexpr Action kNoteActions[] = {
    {.name = "amend",
     .event = "ClinicalNoteAmended",
     .inputs = kAmendInputs,
     .roles = kNoteWriters,
     .rules = kOwnNote,
     .doc = "New content with a reason; every version stays in the note's history."},
    {.name = "entered-in-error",
     .event = "ClinicalNoteEnteredInError",
     .inputs = kReasonInput,
     .roles = kNoteWriters,
     .rules = kOwnNote,
     .removes = true,
     .doc = "The note should not have been written: it leaves lists, its history stays."},
};

constexpr Filter kNoteFilters[] = {
    fields::kByPatient,
    {.parameter = "care_professional_id", .field = "care_professional_id"},
    {.parameter = "category_id", .field = "category_id"},
    {.parameter = "from", .field = "note_date", .op = FilterOp::at_least},
    {.parameter = "to", .field = "note_date", .op = FilterOp::before},
};

}  // namespace

constexpr Aggregate kClinicalNoteCategoryDescription{
    .name = "clinical_note_category",
    .title = "ClinicalNoteCategory",
    .table = "clinical_note_categories",
    .collection = "clinical-note-categories",
    .id_param = "category_id",
    .created = "ClinicalNoteCategoryCreated",
    .updated = "ClinicalNoteCategoryUpdated",
    .deleted = "ClinicalNoteCategoryDeleted",
    .updated_version = 2,
    .fields = kCategoryFields,
    .unique = kCategoryUnique,
    .permissions = {.read = fields::kCareReaders,
                    .create = fields::kCareRemovers,
                    .update = fields::kCareRemovers,
                    .remove = fields::kCareRemovers},
    .feature = "clinical_notes",
    .doc =
        "A heading clinical notes are filed under. A deleted category stays on the notes "
        "that have it; new notes cannot pick it.",
};

constexpr Aggregate kClinicalNoteDescription{
    .name = "clinical_note",
    .title = "ClinicalNote",
    .table = "clinical_notes",
    .collection = "clinical-notes",
    .id_param = "clinical_note_id",
    .created = "ClinicalNoteWritten",
    .updated = "ClinicalNoteUpdated",
    .deleted = "ClinicalNoteDeleted",
    .updated_version = 2,
    .fields = kNoteFields,
    .actions = kNoteActions,
    // Never changed or deleted in place: amend and entered-in-error keep the record.
    .permissions = {.read = fields::kCareReaders, .create = kNoteWriters},
    .filters = kNoteFilters,
    .sort = "note_date",
    .sort_descending = true,
    .nested = fields::kUnderPatient,
    .rules = kNoteRules,
    .feature = "clinical_notes",
    .doc =
        "A dated entry in a patient's clinical record, by a care professional. Amended, "
        "never overwritten; a note entered in error leaves lists and keeps its history.",
};

const Aggregate& kClinicalNoteCategory = kClinicalNoteCategoryDescription;
const Aggregate& kClinicalNote = kClinicalNoteDescription;

}  // namespace cc::model
