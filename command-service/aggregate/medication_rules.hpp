#pragma once
// Medication rules: no double entry of a current medicine, and a stop that
// defaults to today.
#include "command-service/aggregate/rules.hpp"

namespace cc::aggregate {

Status no_double_entry(const RuleContext& context);
Status ends_today_unless_said(const RuleContext& context);

}  // namespace cc::aggregate
