#include <array>

#include "model/aggregates/appointments.hpp"
#include "model/aggregates/care.hpp"
#include "model/aggregates/care_plans.hpp"
#include "model/aggregates/clinical.hpp"
#include "model/aggregates/compliance.hpp"
#include "model/aggregates/documents.hpp"
#include "model/aggregates/features.hpp"
#include "model/aggregates/identity.hpp"
#include "model/aggregates/invoices.hpp"
#include "model/aggregates/medications.hpp"
#include "model/aggregates/tasks.hpp"
#include "model/description.hpp"

namespace cc::model {
namespace {

// Adding an aggregate adds it here: the services, the event catalogue and
// the contracts all walk this list.
const std::array kAggregates{
    &kTenant,   &kUser,           &kMembership, &kPatient, &kCareProfessional,     &kAppointment,
    &kCarePlan, &kMedication,     &kTask,       &kInvoice, &kClinicalNoteCategory, &kClinicalNote,
    &kPolicy,   &kRiskAssessment, &kDocument,   &kFeature, &kTenantFeature};

}  // namespace

std::span<const Aggregate* const> aggregates() {
    return kAggregates;
}

const Aggregate* find_aggregate(std::string_view name) {
    for (const auto* aggregate : kAggregates)
        if (aggregate->name == name) return aggregate;
    return nullptr;
}

const Field* column_field(const Aggregate& aggregate, std::string_view name) {
    static constexpr Field kId{.name = "id", .type = FieldType::reference, .doc = "The row's id"};
    static constexpr Field kCreatedAt{
        .name = "created_at", .type = FieldType::timestamp, .doc = "When it was created"};
    static constexpr Field kUpdatedAt{
        .name = "updated_at", .type = FieldType::timestamp, .doc = "When it last changed"};
    if (name == kId.name) return &kId;
    if (name == kCreatedAt.name) return &kCreatedAt;
    if (name == kUpdatedAt.name) return &kUpdatedAt;
    return aggregate.field(name);
}

std::string spoken(std::string_view name) {
    std::string out(name);
    for (auto& c : out)
        if (c == '_' || c == '-') c = ' ';
    return out;
}

std::string a_spoken(std::string_view name) {
    const bool vowel =
        !name.empty() && std::string_view("aeiou").find(name.front()) != std::string_view::npos;
    return (vowel ? "an " : "a ") + spoken(name);
}

std::string sql_type(const Field& field) {
    switch (field.type) {
        case FieldType::text:
            return field.max_length > 0 ? "VARCHAR(" + std::to_string(field.max_length) + ")"
                                        : "TEXT";
        case FieldType::enumeration:
            return "VARCHAR(" + std::to_string(field.max_length > 0 ? field.max_length : 50) + ")";
        case FieldType::date:
            return "DATE";
        case FieldType::timestamp:
            return "TIMESTAMP WITH TIME ZONE";
        case FieldType::decimal:
            return "DECIMAL(" + std::to_string(field.precision) + "," +
                   std::to_string(field.scale) + ")";
        case FieldType::integer:
            return "INTEGER";
        case FieldType::boolean:
            return "BOOLEAN";
        case FieldType::text_array:
            return "TEXT[]";
        case FieldType::reference:
            return "UUID";
    }
    return "TEXT";
}

}  // namespace cc::model
