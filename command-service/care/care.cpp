#include "command-service/care/care.hpp"

#include <boost/json.hpp>

#include "command-service/domain/entity.hpp"
#include "command-service/identity/identity.hpp"
#include "command-service/write_model.hpp"
#include "events/care_events.hpp"
#include "platform/core/json.hpp"

namespace cc::care {
namespace ev = events::care;
using auth::Caller;
using auth::TenantAction;
using domain::Decision;
using domain::FieldSpec;

namespace {

constexpr FieldSpec kPatientFields[] = {
    {.name = "first_name", .required = true, .max_length = 255},
    {.name = "last_name", .required = true, .max_length = 255},
    {.name = "date_of_birth",
     .max_length = 10,
     .format = domain::is_iso_date,
     .format_message = "date_of_birth must be a date such as 1950-04-23"},
    {.name = "nhs_number",
     .max_length = 10,
     .format = domain::is_nhs_number,
     .format_message = "nhs_number must be 10 digits with a valid Modulus 11 check digit",
     .normalise = domain::without_spaces},
    {.name = "address"},
    {.name = "phone",
     .max_length = 20,
     .format = domain::is_uk_phone,
     .format_message = "phone must be a UK number such as 020 7946 0958 or +44 7700 900123"},
    {.name = "email",
     .max_length = 255,
     .format = domain::is_email,
     .format_message = "email must be an address such as name@example.org",
     .lower_case = true},
    {.name = "emergency_contact"},
};

constexpr FieldSpec kCareProfessionalFields[] = {
    {.name = "user_id",
     .format = domain::is_uuid,
     .format_message = "user_id must be a user id",
     .lower_case = true},
    {.name = "first_name", .required = true, .max_length = 255},
    {.name = "last_name", .required = true, .max_length = 255},
    {.name = "role", .required = true, .max_length = 100},
    {.name = "specialization", .max_length = 255},
    {.name = "license_number",
     .max_length = 50,
     .format = domain::is_licence_number,
     .format_message = "license_number may hold letters, digits, spaces, hyphens and slashes"},
    {.name = "contact_number",
     .max_length = 20,
     .format = domain::is_uk_phone,
     .format_message = "contact_number must be a UK number such as 020 7946 0958"},
    {.name = "email",
     .max_length = 255,
     .format = domain::is_email,
     .format_message = "email must be an address such as name@example.org",
     .lower_case = true},
};

Error invalid_field(std::string field, std::string code, std::string message) {
    return domain::validation_failed({{std::move(field), std::move(code), std::move(message)}});
}

// date_of_birth is compared as text: ISO dates order like the days they name.
Status born_by(const boost::json::object& fields, const Timestamp& now) {
    const auto born = json::string_at(fields, "date_of_birth");
    if (born && *born > now.to_string().substr(0, 10)) {
        return invalid_field("date_of_birth", "in_future", "date_of_birth cannot be in the future");
    }
    return {};
}

// NHS numbers are unique among a tenant's live patients.
Status nhs_number_free(const CareState& care, const TenantId& tenant,
                       const boost::json::object& fields, const Uuid& self) {
    const auto nhs = json::string_at(fields, "nhs_number");
    if (!nhs) return {};
    const auto owner = care.patient_with_nhs_number(tenant, *nhs);
    if (owner && *owner != self) {
        return domain::conflict("nhs-number-taken",
                                "another patient of this tenant has NHS number " + *nhs,
                                "nhs_number");
    }
    return {};
}

// A care professional's user must be a live member of the same tenant.
Status user_is_member(const identity::IdentityState& identity, const TenantId& tenant,
                      const boost::json::object& fields) {
    const auto user = json::string_at(fields, "user_id");
    if (!user) return {};
    const auto id = UserId::parse(*user);
    if (!id || !identity.role_in(tenant, *id)) {
        return invalid_field("user_id", "not_a_member", "user_id must be a member of this tenant");
    }
    return {};
}

Status tenant_action(const WriteModel& model, const Caller& caller, const TenantId& tenant,
                     TenantAction action) {
    return identity::require_tenant_action(model.identity, caller, tenant, action);
}

}  // namespace

std::span<const FieldSpec> patient_fields() {
    return kPatientFields;
}
std::span<const FieldSpec> care_professional_fields() {
    return kCareProfessionalFields;
}

void CareState::apply(const events::Envelope& e) {
    if (e.aggregate_type == ev::kPatient) {
        auto& patient = patients_[e.aggregate_id];
        const auto old_nhs = json::string_at(patient.fields, "nhs_number");
        const bool was_live = patient.version > 0 && !patient.deleted;
        domain::fold_entity(patient, e, ev::kPatientRegistered, ev::kPatientUpdated,
                            ev::kPatientDeleted);
        if (was_live && old_nhs) nhs_numbers_.erase({e.tenant_id, *old_nhs});
        const auto nhs = json::string_at(patient.fields, "nhs_number");
        if (!patient.deleted && nhs) nhs_numbers_[{e.tenant_id, *nhs}] = e.aggregate_id;
    } else if (e.aggregate_type == ev::kCareProfessional) {
        domain::fold_entity(care_professionals_[e.aggregate_id], e, ev::kCareProfessionalCreated,
                            ev::kCareProfessionalUpdated, ev::kCareProfessionalDeleted);
    }
}

const domain::EntityState* CareState::patient(const TenantId& tenant, const Uuid& id) const {
    auto it = patients_.find(id);
    return it == patients_.end() || it->second.tenant != tenant ? nullptr : &it->second;
}

const domain::EntityState* CareState::care_professional(const TenantId& tenant,
                                                        const Uuid& id) const {
    auto it = care_professionals_.find(id);
    return it == care_professionals_.end() || it->second.tenant != tenant ? nullptr : &it->second;
}

std::optional<Uuid> CareState::patient_with_nhs_number(const TenantId& tenant,
                                                       const std::string& nhs_number) const {
    auto it = nhs_numbers_.find({tenant, nhs_number});
    return it == nhs_numbers_.end() ? std::nullopt : std::optional(it->second);
}

Status authorize(const WriteModel& m, const Caller& caller, const RegisterPatient& c) {
    return tenant_action(m, caller, c.tenant, TenantAction::manage_patients);
}
Status authorize(const WriteModel& m, const Caller& caller, const UpdatePatient& c) {
    return tenant_action(m, caller, c.tenant, TenantAction::manage_patients);
}
Status authorize(const WriteModel& m, const Caller& caller, const DeletePatient& c) {
    return tenant_action(m, caller, c.tenant, TenantAction::delete_patients);
}
Status authorize(const WriteModel& m, const Caller& caller, const CreateCareProfessional& c) {
    return tenant_action(m, caller, c.tenant, TenantAction::manage_care_professionals);
}
Status authorize(const WriteModel& m, const Caller& caller, const UpdateCareProfessional& c) {
    return tenant_action(m, caller, c.tenant, TenantAction::manage_care_professionals);
}
Status authorize(const WriteModel& m, const Caller& caller, const DeleteCareProfessional& c) {
    return tenant_action(m, caller, c.tenant, TenantAction::manage_care_professionals);
}

Result<Decision> decide(const WriteModel& m, const RegisterPatient& c) {
    if (const auto* tenant = m.identity.tenant(c.tenant); tenant == nullptr || tenant->deleted) {
        return domain::not_found("tenant");
    }
    auto fields = domain::validate_create(kPatientFields, c.body);
    if (!fields) return std::move(fields).error();
    if (auto s = born_by(*fields, c.now); !s) return std::move(s).error();
    if (auto s = nhs_number_free(m.care, c.tenant, *fields, c.id); !s) return std::move(s).error();
    return domain::single(
        domain::event(ev::kPatientRegistered, ev::kPatient, c.id, 1, c.tenant, std::move(*fields)));
}

Result<Decision> decide(const WriteModel& m, const UpdatePatient& c) {
    return domain::decide_patch(m.care.patient(c.tenant, c.id), "patient", kPatientFields,
                                c.expected_version, c.body, ev::kPatientUpdated, ev::kPatient, c.id,
                                c.tenant, [&](const boost::json::object& patch) {
                                    if (auto s = born_by(patch, c.now); !s) return s;
                                    return nhs_number_free(m.care, c.tenant, patch, c.id);
                                });
}

Result<Decision> decide(const WriteModel& m, const DeletePatient& c) {
    return domain::decide_delete(m.care.patient(c.tenant, c.id), "patient", c.expected_version,
                                 ev::kPatientDeleted, ev::kPatient, c.id, c.tenant);
}

Result<Decision> decide(const WriteModel& m, const CreateCareProfessional& c) {
    if (const auto* tenant = m.identity.tenant(c.tenant); tenant == nullptr || tenant->deleted) {
        return domain::not_found("tenant");
    }
    auto fields = domain::validate_create(kCareProfessionalFields, c.body);
    if (!fields) return std::move(fields).error();
    if (auto s = user_is_member(m.identity, c.tenant, *fields); !s) return std::move(s).error();
    return domain::single(domain::event(ev::kCareProfessionalCreated, ev::kCareProfessional, c.id,
                                        1, c.tenant, std::move(*fields)));
}

Result<Decision> decide(const WriteModel& m, const UpdateCareProfessional& c) {
    return domain::decide_patch(m.care.care_professional(c.tenant, c.id), "care professional",
                                kCareProfessionalFields, c.expected_version, c.body,
                                ev::kCareProfessionalUpdated, ev::kCareProfessional, c.id, c.tenant,
                                [&](const boost::json::object& patch) {
                                    return user_is_member(m.identity, c.tenant, patch);
                                });
}

Result<Decision> decide(const WriteModel& m, const DeleteCareProfessional& c) {
    return domain::decide_delete(m.care.care_professional(c.tenant, c.id), "care professional",
                                 c.expected_version, ev::kCareProfessionalDeleted,
                                 ev::kCareProfessional, c.id, c.tenant);
}

}  // namespace cc::care
