#include "command-service/aggregate/compliance_rules.hpp"

#include "command-service/write_model.hpp"
#include "model/validate.hpp"

namespace cc::aggregate {

// The write model does not keep a policy's text, so a revision that sends
// content is taken as a change of it: staff who signed one version must be
// able to tell it from the next by its label.
Status new_version_for_content(const RuleContext& c) {
    if (c.current == nullptr || !c.values.contains("content")) return {};
    const auto& store = *c.model.entities.of(c.target.aggregate->name);
    const auto* label = c.values.if_contains("policy_version");
    if (label == nullptr ||
        Store::text_of(*label) == store.kept(*c.current, "policy_version").value_or("")) {
        return model::invalid_field("policy_version", "unchanged",
                                    "a new content needs a new policy_version");
    }
    return {};
}

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
