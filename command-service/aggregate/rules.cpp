#include "command-service/aggregate/rules.hpp"

#include <array>

#include "command-service/aggregate/appointment_rules.hpp"
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

constexpr std::array kRules{
    NamedRule{"date-of-birth-not-in-future", date_of_birth_not_in_future},
    NamedRule{"no-future-visits", no_future_visits},
    NamedRule{"appointment-times", appointment_times},
    NamedRule{"carer-free", carer_free},
    NamedRule{"started-already", started_already},
};

}  // namespace

std::span<const NamedRule> rules() {
    return kRules;
}

Rule find_rule(std::string_view name) {
    for (const auto& rule : kRules)
        if (rule.name == name) return rule.rule;
    return nullptr;
}

}  // namespace cc::aggregate
