#pragma once
// What several aggregates share, written once: names of people, e-mail
// addresses, UK telephone numbers, the patient a record is about, a reason
// for the audit trail, and who may read and write patient records.
#include "model/description.hpp"
#include "model/formats.hpp"
#include "model/patterns.hpp"

namespace cc::model::fields {

inline constexpr Field kFirstName{
    .name = "first_name", .max_length = 255, .required = true, .doc = "Given name, trimmed."};
inline constexpr Field kLastName{
    .name = "last_name", .max_length = 255, .required = true, .doc = "Family name, trimmed."};

// An e-mail address, lower-cased before it is checked or stored.
consteval Field email(std::string_view name, std::string_view message, std::string_view doc) {
    return {.name = name,
            .max_length = 255,
            .lower_case = true,
            .format = is_email,
            .format_message = message,
            .pattern = patterns::kEmail,
            .doc = doc};
}

// A UK telephone number, kept as entered.
consteval Field uk_phone(std::string_view name, std::string_view message) {
    return {.name = name,
            .max_length = 20,
            .format = is_uk_phone,
            .format_message = message,
            .pattern = patterns::kUkPhone,
            .doc = "UK telephone number as entered."};
}

inline constexpr Field kReason{
    .name = "reason", .max_length = 1000, .required = true, .doc = "Why, for the audit trail."};

// The patient a record is about; set once, at creation.
consteval Field patient_id(std::string_view doc, bool kept) {
    return {.name = "patient_id",
            .type = FieldType::reference,
            .references = "patient",
            .required = true,
            .immutable = true,
            .kept = kept,
            .doc = doc};
}

// Records about a patient: filtered by the patient, and listed under them.
inline constexpr Filter kByPatient{.parameter = "patient_id", .field = "patient_id"};
inline constexpr NestedList kUnderPatient[] = {{.parent = "patient", .field = "patient_id"}};

// Those who deliver or oversee care read patient records; clinical staff
// keep them current; only admins and managers remove them.
inline constexpr auth::RoleSet kCareReaders{"admin", "manager", "clinician", "carer", "auditor"};
inline constexpr auth::RoleSet kCareWriters{"admin", "manager", "clinician"};
inline constexpr auth::RoleSet kCareRemovers{"admin", "manager"};
inline constexpr Permissions kPatientRecord{
    .read = kCareReaders, .create = kCareWriters, .update = kCareWriters, .remove = kCareRemovers};

}  // namespace cc::model::fields
