#include "projector/care/care_projection.hpp"

#include <array>

#include "events/care_events.hpp"
#include "projector/projection/entity.hpp"

namespace cc::projection::care {
namespace ev = events::care;
namespace {

constexpr std::array<std::string_view, 9> kPatientColumns{
    "tenant_id", "first_name", "last_name", "date_of_birth",    "nhs_number",
    "address",   "phone",      "email",     "emergency_contact"};
constexpr std::array<std::string_view, 9> kCareProfessionalColumns{
    "tenant_id",      "user_id",        "first_name",     "last_name", "role",
    "specialization", "license_number", "contact_number", "email"};
constexpr TableSpec kPatients{"patients", kPatientColumns};
constexpr TableSpec kCareProfessionals{"care_professionals", kCareProfessionalColumns};

}  // namespace

std::optional<Result<Projected>> project(const events::Envelope& e) {
    const auto& t = e.event_type;
    if (t == ev::kPatientRegistered) return created(kPatients, e, /*tenant_scoped=*/true);
    if (t == ev::kPatientUpdated) return updated(kPatients, e, true);
    if (t == ev::kPatientDeleted) return deleted(kPatients, e, true);
    if (t == ev::kCareProfessionalCreated) return created(kCareProfessionals, e, true);
    if (t == ev::kCareProfessionalUpdated) return updated(kCareProfessionals, e, true);
    if (t == ev::kCareProfessionalDeleted) return deleted(kCareProfessionals, e, true);
    return std::nullopt;
}

}  // namespace cc::projection::care
