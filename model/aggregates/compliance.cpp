// Compliance: the tenant's published policies, in versions, and its risk
// assessments, reviewed on a schedule.
#include "model/aggregates/compliance.hpp"

#include "model/aggregates/common_fields.hpp"

namespace cc::model {
namespace {

constexpr std::string_view kTitleVersion[] = {"title", "policy_version"};

constexpr Field kPolicyFields[] = {
    {.name = "title", .max_length = 255, .required = true, .doc = "What the policy governs."},
    {.name = "content", .required = true, .doc = "The policy's text in this version."},
    // The documented column is `version`; every read already answers
    // `version` (the entity version, the ETag), so the API names it apart.
    {.name = "policy_version",
     .column = "version",
     .max_length = 50,
     .required = true,
     .kept = true,
     .doc = "The version's label, e.g. 2.1; title and policy_version are unique in the tenant. "
            "A new content needs a new policy_version."},
    {.name = "effective_date",
     .type = FieldType::date,
     .required = true,
     .doc = "The first day this version is in force."},
};

constexpr UniqueKey kPolicyUnique[] = {
    {.fields = kTitleVersion, .conflict = "policy-version-exists"},
};

constexpr std::string_view kPolicyRules[] = {"new-version-for-content"};

// Policies are organisation documents: everyone in the tenant works under
// them; admins and managers publish them.
constexpr auth::RoleSet kPublishers{"admin", "manager"};

constexpr Filter kPolicyFilters[] = {
    {.parameter = "title", .field = "title"},
    {.parameter = "effective_on",
     .field = "effective_date",
     .op = FilterOp::on,
     .when_true = "t.effective_date <= {} AND NOT EXISTS (SELECT 1 FROM policies n WHERE "
                  "n.tenant_id = t.tenant_id AND n.title = t.title AND n.deleted_at IS NULL AND "
                  "n.effective_date <= {} AND (n.effective_date, n.created_at, n.id) > "
                  "(t.effective_date, t.created_at, t.id))",
     .doc = "the policies in force that day: of each title, the one with the latest "
            "effective_date on or before it (the later published on a tie)"},
};

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

constexpr Aggregate kPolicyDescription{
    .name = "policy",
    .title = "Policy",
    .table = "policies",
    .collection = "policies",
    .id_param = "policy_id",
    .created = "PolicyPublished",
    .updated = "PolicyRevised",
    .deleted = "PolicyWithdrawn",
    .updated_version = 2,
    .fields = kPolicyFields,
    .unique = kPolicyUnique,
    .permissions = {.read = auth::RoleSet::everyone(),
                    .create = kPublishers,
                    .update = kPublishers,
                    .remove = kPublishers},
    .filters = kPolicyFilters,
    .sort = "effective_date",
    .rules = kPolicyRules,
    .feature = "policies",
    .doc =
        "A compliance policy of the tenant, published in versions; every version stays in "
        "its history.",
};

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
    .doc =
        "A risk to people in the tenant's care or staff, its level, mitigation and review "
        "dates; reviews keep the earlier assessments in its history.",
};

const Aggregate& kPolicy = kPolicyDescription;
const Aggregate& kRiskAssessment = kRiskAssessmentDescription;

}  // namespace cc::model
