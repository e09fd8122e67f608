#include "command-service/aggregate/rules.hpp"

#include <array>

#include "command-service/aggregate/appointment_rules.hpp"
#include "command-service/aggregate/clinical_rules.hpp"
#include "command-service/aggregate/compliance_rules.hpp"
#include "command-service/aggregate/features.hpp"
#include "command-service/aggregate/invoice_rules.hpp"
#include "command-service/aggregate/medication_rules.hpp"
#include "command-service/write_model.hpp"
#include "model/validate.hpp"
#include "platform/core/json.hpp"

namespace cc::aggregate {
namespace {

Status date_of_birth_not_in_future(const RuleContext& c) {
    return not_in_future(c, "date_of_birth");
}

Status end_not_before_start(const RuleContext& c) {
    return dates_in_order(c, "start_date", "end_date", "before_start");
}

constexpr std::array kRules{
    NamedRule{"date-of-birth-not-in-future", date_of_birth_not_in_future},
    NamedRule{"no-future-visits", no_future_visits},
    NamedRule{"appointment-times", appointment_times},
    NamedRule{"carer-free", carer_free},
    NamedRule{"started-already", started_already},
    NamedRule{"end-not-before-start", end_not_before_start},
    NamedRule{"no-double-entry", no_double_entry},
    NamedRule{"ends-today-unless-said", ends_today_unless_said},
    NamedRule{"premium-needs-platform-admin", premium_needs_platform_admin},
    NamedRule{"builtin-feature-stays", builtin_feature_stays},
    NamedRule{"invoice-number", invoice_number},
    NamedRule{"due-not-before-issue", due_not_before_issue},
    NamedRule{"paid-date", paid_date},
    NamedRule{"past-due", past_due},
    NamedRule{"writes-as-self", writes_as_self},
    NamedRule{"note-date-not-future", note_date_not_future},
    NamedRule{"new-version-for-content", new_version_for_content},
    NamedRule{"mitigation-for-high-risk", mitigation_for_high_risk},
    NamedRule{"review-not-before-assessment", review_not_before_assessment},
};

}  // namespace

std::string value_after_step(const RuleContext& c, std::string_view field) {
    // A step that sets the field to null clears it.
    if (const auto* value = c.values.if_contains(field)) {
        return value->is_string() ? std::string(value->as_string()) : std::string();
    }
    if (c.current == nullptr) return {};
    const auto& store = *c.model.entities.of(c.target.aggregate->name);
    return std::string(store.kept(*c.current, field).value_or(""));
}

// Dates compare as text: ISO dates order like the days they name.
Status dates_in_order(const RuleContext& c, std::string_view first, std::string_view then,
                      std::string_view code) {
    const auto from = value_after_step(c, first);
    const auto to = value_after_step(c, then);
    if (!from.empty() && !to.empty() && to < from) {
        return model::invalid_field(
            std::string(then), std::string(code),
            std::string(then) + " must be on or after " + std::string(first));
    }
    return {};
}

Status not_in_future(const RuleContext& c, std::string_view field) {
    const auto day = json::string_at(c.values, field);
    if (day && *day > c.target.now.to_string().substr(0, 10)) {
        return model::invalid_field(std::string(field), "in_future",
                                    std::string(field) + " cannot be in the future");
    }
    return {};
}

std::span<const NamedRule> rules() {
    return kRules;
}

Rule find_rule(std::string_view name) {
    for (const auto& rule : kRules)
        if (rule.name == name) return rule.rule;
    return nullptr;
}

}  // namespace cc::aggregate
