// Patients and care professionals.
#include "model/aggregates/care.hpp"

#include "model/aggregates/common_fields.hpp"

namespace cc::model {
namespace {

constexpr std::string_view kPatientRules[] = {"date-of-birth-not-in-future"};
constexpr std::string_view kNhsNumber[] = {"nhs_number"};

constexpr Field kPatientFields[] = {
    fields::kFirstName,
    fields::kLastName,
    {.name = "date_of_birth",
     .type = FieldType::date,
     .doc = "Date of birth; not after the day the event was decided."},
    {.name = "nhs_number",
     .max_length = 10,
     .kept = true,
     .normalise = model::without_spaces,
     .format = is_nhs_number,
     .format_message = "nhs_number must be 10 digits with a valid Modulus 11 check digit",
     .pattern = patterns::kNhsNumber,
     .doc = "NHS number: 10 digits, stored without the spaces a client may send, with a valid "
            "Modulus 11 check digit and not all one digit. Unique among the tenant's live "
            "patients."},
    {.name = "address", .doc = "Postal address as free text (it may span lines)."},
    fields::uk_phone("phone", "phone must be a UK number such as 020 7946 0958 or +44 7700 900123"),
    fields::email("email", "email must be an address such as name@example.org",
                  "E-mail address, lower-cased."),
    {.name = "emergency_contact", .doc = "Who to call in an emergency, as free text."},
};

constexpr UniqueKey kPatientUnique[] = {
    {.fields = kNhsNumber, .conflict = "nhs-number-taken", .freed_on_delete = true},
};

constexpr Filter kPatientFilters[] = {
    {.parameter = "nhs_number", .field = "nhs_number", .normalise = model::without_spaces},
    {.parameter = "date_of_birth", .field = "date_of_birth"},
};
constexpr std::string_view kNameSearch[] = {"last_name", "first_name"};

constexpr Field kCareProfessionalFields[] = {
    {.name = "user_id",
     .type = FieldType::reference,
     .references = kTenantMember,
     .kept = true,  // whom a caller writes clinical notes as
     .doc = "The care professional's own user account: a live member of the tenant."},
    fields::kFirstName,
    fields::kLastName,
    {.name = "role",
     .max_length = 100,
     .required = true,
     .doc = "Job title as free text, e.g. Nurse or Physiotherapist (not the member role that "
            "governs access)."},
    {.name = "specialization", .max_length = 255, .doc = "Specialism as free text."},
    {.name = "license_number",
     .max_length = 50,
     .format = is_licence_number,
     .format_message = "license_number may hold letters, digits, spaces, hyphens and slashes",
     .pattern = patterns::kLicence,
     .doc = "Professional registration number (GMC, NMC, HCPC...)."},
    fields::uk_phone("contact_number", "contact_number must be a UK number such as 020 7946 0958"),
    fields::email("email", "email must be an address such as name@example.org",
                  "E-mail address, lower-cased (not unique)."),
};

constexpr Filter kCareProfessionalFilters[] = {
    {.parameter = "role", .field = "role"},
    {.parameter = "user_id", .field = "user_id"},
};

}  // namespace

constexpr Aggregate kPatientDescription{
    .name = "patient",
    .title = "Patient",
    .table = "patients",
    .collection = "patients",
    .id_param = "patient_id",
    .created = "PatientRegistered",
    .updated = "PatientUpdated",
    .deleted = "PatientDeleted",
    .updated_version = 2,
    .fields = kPatientFields,
    .unique = kPatientUnique,
    .permissions = fields::kPatientRecord,
    .filters = kPatientFilters,
    .search = kNameSearch,
    .sort = "last_name",
    .then_sort = "first_name",
    .rules = kPatientRules,
    .delete_rule = "no-future-visits",
    .doc = "A person the tenant cares for.",
};

constexpr Aggregate kCareProfessionalDescription{
    .name = "care_professional",
    .title = "CareProfessional",
    .table = "care_professionals",
    .collection = "care-professionals",
    .id_param = "care_professional_id",
    .created = "CareProfessionalCreated",
    .updated = "CareProfessionalUpdated",
    .deleted = "CareProfessionalDeleted",
    .updated_version = 2,
    .fields = kCareProfessionalFields,
    .permissions = {.read = {"admin", "manager", "clinician", "carer", "finance", "auditor"},
                    .create = {"admin", "manager"},
                    .update = {"admin", "manager"},
                    .remove = {"admin", "manager"}},
    .filters = kCareProfessionalFilters,
    .search = kNameSearch,
    .sort = "last_name",
    .then_sort = "first_name",
    .doc = "A carer, nurse or other professional who delivers care for the tenant.",
};

const Aggregate& kPatient = kPatientDescription;
const Aggregate& kCareProfessional = kCareProfessionalDescription;

}  // namespace cc::model
