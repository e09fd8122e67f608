#pragma once
// The rota's rules: sane times, no double-booked carer, no-show only once the
// visit was due, and no deleting a patient who still has visits booked.
#include "command-service/aggregate/rules.hpp"

namespace cc::aggregate {

Status appointment_times(const RuleContext& context);
Status carer_free(const RuleContext& context);
Status started_already(const RuleContext& context);
Status no_future_visits(const RuleContext& context);

}  // namespace cc::aggregate
