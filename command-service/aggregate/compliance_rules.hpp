#pragma once
// Compliance rules: a risk assessment's level, mitigation and review dates
// hang together.
#include "command-service/aggregate/rules.hpp"

namespace cc::aggregate {

Status mitigation_for_high_risk(const RuleContext& context);
Status review_not_before_assessment(const RuleContext& context);

}  // namespace cc::aggregate
