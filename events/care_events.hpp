#pragma once
// Patients and care professionals (payload schemas: events/schemas/<Type>.v1.schema.json).
#include <string_view>

namespace cc::events::care {

inline constexpr std::string_view kPatient = "patient";
inline constexpr std::string_view kCareProfessional = "care_professional";

inline constexpr std::string_view kPatientRegistered = "PatientRegistered";
inline constexpr std::string_view kPatientUpdated = "PatientUpdated";
inline constexpr std::string_view kPatientDeleted = "PatientDeleted";
inline constexpr std::string_view kCareProfessionalCreated = "CareProfessionalCreated";
inline constexpr std::string_view kCareProfessionalUpdated = "CareProfessionalUpdated";
inline constexpr std::string_view kCareProfessionalDeleted = "CareProfessionalDeleted";

}  // namespace cc::events::care
