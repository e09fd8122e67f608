#include "command-service/aggregate/compliance_rules.hpp"

#include "command-service/write_model.hpp"
#include "model/validate.hpp"

namespace cc::aggregate {

Status mitigation_for_high_risk(const RuleContext& c) {
    const auto level = value_after_step(c, "risk_level");
    if ((level == "high" || level == "very_high") &&
        value_after_step(c, "mitigation_steps").empty()) {
        return model::invalid_field("mitigation_steps", "required_for_level",
                                    "a " + level + " risk needs mitigation_steps");
    }
    return {};
}

// Dates compare as text: ISO dates order like the days they name.
Status review_not_before_assessment(const RuleContext& c) {
    const auto assessed = value_after_step(c, "assessment_date");
    const auto next = value_after_step(c, "next_review_date");
    if (!assessed.empty() && !next.empty() && next < assessed) {
        return model::invalid_field("next_review_date", "before_assessment",
                                    "next_review_date must be on or after assessment_date");
    }
    return {};
}

}  // namespace cc::aggregate
