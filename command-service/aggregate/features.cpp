#include "command-service/aggregate/features.hpp"

#include <algorithm>

#include "command-service/write_model.hpp"
#include "model/aggregates/features.hpp"

namespace cc::aggregate {
namespace {

const Store& features(const WriteModel& m) {
    return *m.entities.of(model::kFeature.name);
}

const Record* live_feature(const WriteModel& m, const Uuid& id) {
    const auto* record = features(m).find(kPlatformTenant, id);
    return record && !record->deleted ? record : nullptr;
}

bool premium(const WriteModel& m, const Record& feature) {
    return features(m).kept(feature, "is_premium") == "true";
}

}  // namespace

std::optional<Uuid> feature_named(const WriteModel& m, std::string_view name) {
    return features(m).holder_of("name", kPlatformTenant, name);
}

bool feature_enabled(const WriteModel& m, const TenantId& tenant, std::string_view name) {
    const auto id = feature_named(m, name);
    const auto* feature = id ? live_feature(m, *id) : nullptr;
    if (feature == nullptr) return true;
    const auto& choices = *m.entities.of(model::kTenantFeature.name);
    const auto choice = choices.named(tenant, id->to_string());
    const auto* record = choice ? choices.find(tenant, *choice) : nullptr;
    if (record != nullptr && !record->deleted) {
        return choices.kept(*record, "is_enabled") == "true";
    }
    return !premium(m, *feature);
}

Status require_feature(const WriteModel& m, const Target& t) {
    const auto feature = t.aggregate->feature;
    if (feature.empty() || feature_enabled(m, t.tenant, feature)) return {};
    return auth::feature_disabled(feature);
}

Status premium_needs_platform_admin(const RuleContext& c) {
    if (c.target.platform_admin) return {};
    const auto* feature = live_feature(c.model, c.target.id);
    if (feature != nullptr && premium(c.model, *feature)) {
        return Error::make(ErrorKind::forbidden, "premium-feature",
                           "a premium feature is turned on or off by a platform administrator");
    }
    return {};
}

Status builtin_feature_stays(const RuleContext& c) {
    const auto name = features(c.model).kept(*c.current, "name").value_or("");
    const auto builtins = model::builtin_features();
    if (std::any_of(builtins.begin(), builtins.end(),
                    [&](const model::BuiltinFeature& f) { return f.name == name; })) {
        return domain::conflict("feature-built-in",
                                "the built-in feature " + std::string(name) +
                                    " gates a module and cannot be deleted; turn it off per tenant",
                                "name");
    }
    return {};
}

}  // namespace cc::aggregate
