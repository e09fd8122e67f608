#include "command-service/aggregate/rules.hpp"

#include <array>

#include "command-service/aggregate/appointment_rules.hpp"
#include "command-service/aggregate/clinical_rules.hpp"
#include "command-service/aggregate/compliance_rules.hpp"
#include "command-service/aggregate/medication_rules.hpp"
#include "command-service/write_model.hpp"
#include "model/validate.hpp"
#include "platform/core/json.hpp"

namespace cc::aggregate {
namespace {

// date_of_birth is compared as text: ISO dates order like the days they name.
Status date_of_birth_not_in_future(const RuleContext& c) {
    const auto born = json::string_at(c.values, "date_of_birth");
    if (born && *born > c.target.now.to_string().substr(0, 10)) {
        return model::invalid_field("date_of_birth", "in_future",
                                    "date_of_birth cannot be in the future");
    }
    return {};
}

// Dates compare as text: ISO dates order like the days they name.
Status end_not_before_start(const RuleContext& c) {
    const auto start = value_after_step(c, "start_date");
    const auto end = value_after_step(c, "end_date");
    if (!start.empty() && !end.empty() && end < start) {
        return model::invalid_field("end_date", "before_start",
                                    "end_date must be on or after start_date");
    }
    return {};
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
    NamedRule{"writes-as-self", writes_as_self},
    NamedRule{"note-date-not-future", note_date_not_future},
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

std::span<const NamedRule> rules() {
    return kRules;
}

Rule find_rule(std::string_view name) {
    for (const auto& rule : kRules)
        if (rule.name == name) return rule.rule;
    return nullptr;
}

}  // namespace cc::aggregate
