// Features: the catalogue, and which of them each tenant has turned on or off.
#include "model/aggregates/features.hpp"

#include <array>

namespace cc::model {
namespace {

constexpr std::string_view kName[] = {"name"};
constexpr std::string_view kFeatureId[] = {"feature_id"};

constexpr Field kFeatureFields[] = {
    {.name = "name",
     .max_length = 100,
     .required = true,
     .immutable = true,  // tenants and gates name it: it never changes
     .kept = true,
     .doc = "The feature's name, unique across the platform, e.g. appointments."},
    {.name = "description", .doc = "What the feature gives a tenant."},
    {.name = "is_premium",
     .type = FieldType::boolean,
     .kept = true,
     .doc = "Premium features are off for a tenant until a platform administrator turns them "
            "on; the others are on until the tenant turns them off."},
};
// The documented UNIQUE(name) covers every row; a deleted feature's row is
// gone, so its name is free again.
constexpr UniqueKey kFeatureUnique[] = {
    {.fields = kName, .conflict = "feature-name-taken", .per_tenant = false},
};

constexpr Field kTenantFeatureFields[] = {
    {.name = "feature_id",
     .type = FieldType::reference,
     .references = "feature",
     .required = true,
     .set_by = Setter::rule,
     .immutable = true,
     .kept = true,
     .doc = "The feature (features.id), named by its name in the path. Features are platform "
            "rows on another partition: a projector waits for the feature rather than dropping "
            "the reference."},
    {.name = "is_enabled",
     .type = FieldType::boolean,
     .required = true,
     .kept = true,
     .doc = "Whether the tenant has the feature."},
};
constexpr UniqueKey kTenantFeatureUnique[] = {
    {.fields = kFeatureId, .conflict = "tenant-feature-exists", .freed_on_delete = false},
};
constexpr std::string_view kTenantFeatureRules[] = {"premium-needs-platform-admin"};

// One per module: the aggregates a module holds name it as their `feature`.
constexpr std::array<BuiltinFeature, 9> kBuiltins{{
    {"appointments", "The rota: home visits, their lifecycle and carer clash checks."},
    {"tasks", "The care team's to-do list."},
    {"care_plans", "Care plans per patient, with their review cycle."},
    {"medications", "Patients' current and past medications."},
    {"clinical_notes", "Clinical notes, amended but never overwritten."},
    {"documents", "Documents and files about patients and the organisation."},
    {"invoices", "Invoicing with exact amounts and an overdue check."},
    {"policies", "The organisation's versioned policies."},
    {"risk_assessments", "Risk assessments and their review dates."},
}};

}  // namespace

std::span<const BuiltinFeature> builtin_features() {
    return kBuiltins;
}

constexpr Aggregate kFeatureDescription{
    .name = "feature",
    .title = "Feature",
    .table = "features",
    .collection = "features",
    .id_param = "feature_id",
    .scope = Scope::platform,
    .created = "FeatureCreated",
    .updated = "FeatureUpdated",
    .deleted = "FeatureDeleted",
    .fields = kFeatureFields,
    .unique = kFeatureUnique,
    .policies = {.create = Policy::platform_admin,
                 .update = Policy::platform_admin,
                 .remove = Policy::platform_admin},
    .delete_rule = "builtin-feature-stays",
    .soft_delete = false,
    .doc =
        "A feature of the platform that tenants have or not. The built-in ones, one per "
        "module, exist from the first start; platform administrators add, change and delete "
        "others.",
};

constexpr Aggregate kTenantFeatureDescription{
    .name = "tenant_feature",
    .title = "TenantFeature",
    .table = "tenant_features",
    .collection = "features",
    .id_param = "feature_name",
    .created = "TenantFeatureSet",
    .updated = "TenantFeatureToggled",
    .fields = kTenantFeatureFields,
    .carried = kFeatureId,
    .unique = kTenantFeatureUnique,
    .permissions = {.read = auth::RoleSet::everyone(), .create = {"admin"}, .update = {"admin"}},
    .policies = {.create = Policy::tenant_role_or_platform_admin,
                 .update = Policy::tenant_role_or_platform_admin},
    .rules = kTenantFeatureRules,
    .put_by = "feature_id",
    .put_key = "name",
    .soft_delete = false,
    .doc =
        "Whether a tenant has a feature, where it differs from the feature's default. A "
        "tenant admin turns non-premium features on and off; premium ones are a platform "
        "administrator's to grant.",
};

const Aggregate& kFeature = kFeatureDescription;
const Aggregate& kTenantFeature = kTenantFeatureDescription;

}  // namespace cc::model
