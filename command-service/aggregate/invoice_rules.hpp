#pragma once
// Invoice rules: the tenant's gapless numbering, dates in order, payment not
// before issue nor in the future, and which issued invoices time has made
// overdue (what the overdue scheduler asks the write model). Pure.
#include <cstdint>
#include <string>
#include <vector>

#include "command-service/aggregate/rules.hpp"

namespace cc::aggregate {

Status invoice_number(const RuleContext& context);
Status due_not_before_issue(const RuleContext& context);
Status paid_date(const RuleContext& context);
Status past_due(const RuleContext& context);

// "INV-000042" for 42: the sequence's text, six digits or more.
std::string sequence_number(std::int64_t n);
// Whether a number has the sequence's shape ("INV-" and digits, any case).
bool looks_allocated(std::string_view number);

// An issued invoice whose due date is before `now`'s UTC day, at the
// version the step to overdue must find it.
struct DueInvoice {
    TenantId tenant;
    Uuid id;
    std::int64_t version = 0;
};
std::vector<DueInvoice> due_to_become_overdue(const Store& invoices, const Timestamp& now);

// The mark-overdue steps for those invoices, as the scheduler takes them:
// each expects the version it was chosen at, so a step decided twice (two
// sweeps, a restart) finds the invoice moved on and appends nothing.
std::vector<Act> overdue_steps(const WriteModel& model, const Timestamp& now);

}  // namespace cc::aggregate
