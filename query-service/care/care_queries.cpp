#include "query-service/care/care_queries.hpp"

#include <array>

#include "platform/core/text.hpp"

namespace cc::query {
namespace {

constexpr std::array kPatientColumns{
    Column{"id"},
    Column{"tenant_id"},
    Column{"first_name"},
    Column{"last_name"},
    Column{"date_of_birth"},
    Column{"nhs_number"},
    Column{"address"},
    Column{"phone"},
    Column{"email"},
    Column{"emergency_contact"},
    Column{"created_at", true},
    Column{"updated_at", true},
};
constexpr std::array kPatientFilters{
    Filter{"nhs_number", "nhs_number", "text", without_spaces},
    Filter{"date_of_birth", "date_of_birth", "date"},
};
constexpr std::array<std::string_view, 2> kPatientSearch{"last_name", "first_name"};

constexpr std::array kCareProfessionalColumns{
    Column{"id"},
    Column{"tenant_id"},
    Column{"user_id"},
    Column{"first_name"},
    Column{"last_name"},
    Column{"role"},
    Column{"specialization"},
    Column{"license_number"},
    Column{"contact_number"},
    Column{"email"},
    Column{"created_at", true},
    Column{"updated_at", true},
};
constexpr std::array kCareProfessionalFilters{
    Filter{"role", "role", "text"},
    Filter{"user_id", "user_id", "uuid"},
};
constexpr std::array<std::string_view, 2> kCareProfessionalSearch{"last_name", "first_name"};

constexpr Resource kPatients{
    .entity_type = "patient",
    .table = "patients",
    .columns = kPatientColumns,
    .tenant_column = "tenant_id",
    .filters = kPatientFilters,
    .search_columns = kPatientSearch,
};
constexpr Resource kCareProfessionals{
    .entity_type = "care_professional",
    .table = "care_professionals",
    .columns = kCareProfessionalColumns,
    .tenant_column = "tenant_id",
    .filters = kCareProfessionalFilters,
    .search_columns = kCareProfessionalSearch,
};

}  // namespace

void add_care_routes(http::Router& router, ReadApi& api, Access& access) {
    add_tenant_resource_routes(router, api, access, "patients", "patient_id", kPatients,
                               auth::TenantAction::read_patients);
    add_tenant_resource_routes(router, api, access, "care-professionals", "care_professional_id",
                               kCareProfessionals, auth::TenantAction::read_care_professionals);
}

}  // namespace cc::query
