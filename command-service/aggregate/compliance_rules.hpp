#pragma once
// Compliance rules: a policy's text changes only with its version, and a
// risk assessment's level and review dates hang together.
#include "command-service/aggregate/rules.hpp"

namespace cc::aggregate {

Status new_version_for_content(const RuleContext& context);
Status mitigation_for_high_risk(const RuleContext& context);
Status review_not_before_assessment(const RuleContext& context);

}  // namespace cc::aggregate
