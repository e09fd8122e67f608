#pragma once
// Feature gating on the write side: which module features a tenant has, and
// the rules of the feature catalogue. Pure functions of the write model.
#include <optional>
#include <string_view>

#include "command-service/aggregate/rules.hpp"

namespace cc::aggregate {

// The feature's id by its name, live or not; nullopt if it never existed.
std::optional<Uuid> feature_named(const WriteModel& model, std::string_view name);

// Whether the tenant has the feature: its own setting if it made one, else
// the feature's default (on unless premium). A feature the log does not
// know yet (a built-in before its registration) is on.
bool feature_enabled(const WriteModel& model, const TenantId& tenant, std::string_view name);

// 403 feature-disabled, naming the feature, when the target's aggregate is
// gated by a feature its tenant has turned off.
Status require_feature(const WriteModel& model, const Target& target);

// Rules named in the feature descriptions.
Status premium_needs_platform_admin(const RuleContext& context);
Status builtin_feature_stays(const RuleContext& context);

}  // namespace cc::aggregate
