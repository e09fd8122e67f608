// Compliance: the tenant's risk assessments, reviewed on a schedule.
#include "model/aggregates/compliance.hpp"

#include "model/aggregates/common_fields.hpp"

namespace cc::model {
namespace {

constexpr std::string_view kRiskLevels[] = {"low", "medium", "high", "very_high"};

constexpr Field kRiskLevel{.name = "risk_level",
                           .type = FieldType::enumeration,
                           .values = kRiskLevels,
                           .required = true,
                           .kept = true,
                           .doc = "How serious: high and very_high need mitigation_steps."};
constexpr Field kMitigationSteps{
    .name = "mitigation_steps", .kept = true, .doc = "What is done to reduce the risk."};
constexpr Field kConductedBy{.name = "conducted_by",
                             .type = FieldType::reference,
                             .references = kTenantMember,
                             .default_from = DefaultFrom::caller,
                             .doc =
                                 "Who assessed it: a member of the tenant; by default the "
                                 "caller."};
constexpr Field kAssessmentDate{.name = "assessment_date",
                                .type = FieldType::date,
                                .required = true,
                                .immutable = true,  // a review records a new one
                                .kept = true,
                                .doc = "The day it was assessed."};
constexpr Field kNextReviewDate{.name = "next_review_date",
                                .type = FieldType::date,
                                .kept = true,
                                .doc =
                                    "When it is next due for review: on or after "
                                    "assessment_date."};

constexpr Field kRiskFields[] = {
    {.name = "title", .max_length = 255, .required = true, .doc = "The risk assessed."},
    {.name = "description", .required = true, .doc = "The hazard, who is at risk and how."},
    kRiskLevel,
    kMitigationSteps,
    kConductedBy,
    kAssessmentDate,
    kNextReviewDate,
};

constexpr std::string_view kRiskRules[] = {"mitigation-for-high-risk",
                                           "review-not-before-assessment"};

constexpr Field kReviewDate{.name = "assessment_date",
                            .type = FieldType::date,
                            .required = true,
                            .doc = "The day of the review."};
constexpr Field kNextReview{.name = "next_review_date",
                            .type = FieldType::date,
                            .required = true,
                            .doc = "When it is next due: on or after the review."};
constexpr Field kReviewInputs[] = {kReviewDate, kRiskLevel, kNextReview, kMitigationSteps,
                                   kConductedBy};

// Assessments name hazards to patients and staff: those who deliver or
// oversee care read them, clinical staff keep them current.
constexpr Action kRiskActions[] = {
    {.name = "review",
     .event = "RiskAssessmentReviewed",
     .inputs = kReviewInputs,
     .roles = fields::kCareWriters,
     .rules = kRiskRules,
     .doc = "A new assessment date, risk level and next review date (mitigation_steps restated, "
            "required for high and very_high); earlier assessments stay in the history."},
};

constexpr Filter kRiskFilters[] = {
    {.parameter = "risk_level", .field = "risk_level"},
    {.parameter = "review_overdue",
     .field = "next_review_date",
     .op = FilterOp::holds,
     .when_true = "t.next_review_date < CURRENT_DATE",
     .doc = "assessments whose next review date has passed"},
};

}  // namespace

constexpr Aggregate kRiskAssessmentDescription{
    .name = "risk_assessment",
    .title = "RiskAssessment",
    .table = "risk_assessments",
    .collection = "risk-assessments",
    .id_param = "risk_assessment_id",
    .created = "RiskAssessed",
    .updated = "RiskAssessmentUpdated",
    .deleted = "RiskAssessmentDeleted",
    .updated_version = 2,
    .fields = kRiskFields,
    .actions = kRiskActions,
    .permissions = fields::kPatientRecord,
    .filters = kRiskFilters,
    .sort = "next_review_date",
    .rules = kRiskRules,
    .feature = "risk_assessments",
    .history = true,
    .doc =
        "A risk to people in the tenant's care or staff, its level, mitigation and review "
        "dates; reviews keep the earlier assessments in its history.",
};

const Aggregate& kRiskAssessment = kRiskAssessmentDescription;

}  // namespace cc::model
