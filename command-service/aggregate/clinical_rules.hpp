#pragma once
// Clinical record rules: who may write as which care professional, and a
// note dated no later than the moment it is written (give or take a clock).
#include "command-service/aggregate/rules.hpp"

namespace cc::aggregate {

Status writes_as_self(const RuleContext& context);
Status note_date_not_future(const RuleContext& context);

}  // namespace cc::aggregate
