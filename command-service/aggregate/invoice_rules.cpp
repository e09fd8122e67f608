#include "command-service/aggregate/invoice_rules.hpp"

#include <algorithm>
#include <cctype>

#include "command-service/write_model.hpp"
#include "model/aggregates/invoices.hpp"
#include "model/validate.hpp"

namespace cc::aggregate {
namespace {

std::string today(const RuleContext& c) {
    return c.target.now.to_string().substr(0, 10);
}

const model::UniqueKey& number_key(const Store& invoices) {
    return invoices.description().unique.front();
}

bool taken(const Store& invoices, const TenantId& tenant, std::int64_t n) {
    return invoices.holder(number_key(invoices), tenant, {{"invoice_number", sequence_number(n)}})
        .has_value();
}

// Only the allocator makes numbers of the sequence's shape, numbers never
// change and stay taken after a delete, so a tenant's taken numbers are
// exactly 1..k: the first free one is found by a galloping search over
// the uniqueness index, in O(log k) look-ups. The final walk guards the
// search against a log in which that did not hold.
std::int64_t next_number(const Store& invoices, const TenantId& tenant) {
    std::int64_t high = 1;
    while (taken(invoices, tenant, high)) high *= 2;
    std::int64_t low = high / 2;  // taken, or 0
    while (high - low > 1) {
        const auto middle = low + (high - low) / 2;
        (taken(invoices, tenant, middle) ? low : high) = middle;
    }
    while (taken(invoices, tenant, high)) ++high;
    return high;
}

}  // namespace

std::string sequence_number(std::int64_t n) {
    auto digits = std::to_string(n);
    if (digits.size() < static_cast<std::size_t>(model::kInvoiceNumberDigits)) {
        digits.insert(0, static_cast<std::size_t>(model::kInvoiceNumberDigits) - digits.size(),
                      '0');
    }
    return std::string(model::kInvoiceNumberPrefix) + digits;
}

bool looks_allocated(std::string_view number) {
    const auto prefix = model::kInvoiceNumberPrefix;
    if (number.size() <= prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::toupper(static_cast<unsigned char>(number[i])) != prefix[i]) return false;
    }
    const auto digits = number.substr(prefix.size());
    return std::all_of(digits.begin(), digits.end(), [](char d) { return d >= '0' && d <= '9'; });
}

Status invoice_number(const RuleContext& c) {
    if (c.current != nullptr) return {};  // immutable: validation refuses a change
    const auto* sent = c.values.if_contains("invoice_number");
    if (sent != nullptr && sent->is_string()) {
        if (looks_allocated(sent->as_string())) {
            return model::invalid_field(
                "invoice_number", "reserved",
                "invoice numbers such as " + sequence_number(1) +
                    " are allocated by the server; leave invoice_number out to get the next one, "
                    "or use a number of another shape");
        }
        return {};
    }
    // Decisions are serialised, so the folded state names every number
    // handed out so far: concurrent creates get consecutive numbers.
    const auto& invoices = *c.model.entities.of(model::kInvoice.name);
    c.values["invoice_number"] = sequence_number(next_number(invoices, c.target.tenant));
    return {};
}

Status due_not_before_issue(const RuleContext& c) {
    return dates_in_order(c, "issue_date", "due_date", "before_issue");
}

Status paid_date(const RuleContext& c) {
    if (auto s = dates_in_order(c, "issue_date", "paid_date", "before_issue"); !s) return s;
    return not_in_future(c, "paid_date");
}

Status past_due(const RuleContext& c) {
    const auto due = value_after_step(c, "due_date");
    if (due.empty() || due >= today(c)) {
        return Error::make(ErrorKind::rule_violated, "not-due",
                           "an invoice becomes overdue only after its due date");
    }
    return {};
}

std::vector<DueInvoice> due_to_become_overdue(const Store& invoices, const Timestamp& now) {
    // Due dates are days; an invoice due today is not late until tomorrow (UTC).
    const auto day = now.to_string().substr(0, 10);
    std::vector<DueInvoice> out;
    for (const auto& [id, record] : invoices.records()) {
        if (record.deleted || invoices.state_name(record) != "issued") continue;
        const auto due = invoices.kept(record, "due_date").value_or("");
        if (!due.empty() && due < day) out.push_back({record.tenant, id, record.version});
    }
    return out;
}

std::vector<Act> overdue_steps(const WriteModel& model, const Timestamp& now) {
    const auto* action = model::kInvoice.action("mark-overdue");
    std::vector<Act> out;
    for (const auto& due : due_to_become_overdue(*model.entities.of(model::kInvoice.name), now)) {
        out.push_back(Act{Target{&model::kInvoice, due.tenant, due.id, UserId(), now}, action,
                          due.version, json::Body{}});
    }
    return out;
}

}  // namespace cc::aggregate
