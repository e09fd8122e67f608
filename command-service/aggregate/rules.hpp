#pragma once
// Hand-written rules, named in the descriptions: what no description can
// say (rules that span aggregates or judge against the clock). The generic
// steps call them after their own checks. Pure.
#include <boost/json/object.hpp>

#include <span>
#include <string>
#include <string_view>

#include "command-service/aggregate/commands.hpp"
#include "command-service/aggregate/store.hpp"

namespace cc::aggregate {

struct RuleContext {
    const WriteModel& model;
    const Target& target;
    const Record* current;  // nullptr on create
    // The validated values: the whole row on create, the patch on update,
    // the inputs of an action. A rule may set fields the server computes.
    boost::json::object& values;
    const model::Action* action;  // the step being taken, if any
};

using Rule = Status (*)(const RuleContext& context);

// A field as the step would leave it: the new value if the step sets it,
// else the kept one ("" when neither). Timestamps are kept as fixed-width
// UTC text and dates as YYYY-MM-DD, so both order as text as in time.
std::string value_after_step(const RuleContext& context, std::string_view field);

// `then` on or after `first` (dates), each as the step would leave it;
// otherwise 422 naming `then` with `code`.
Status dates_in_order(const RuleContext& context, std::string_view first, std::string_view then,
                      std::string_view code);
// A date the step sets is not after the day of `now` (UTC).
Status not_in_future(const RuleContext& context, std::string_view field);

struct NamedRule {
    std::string_view name;
    Rule rule;
};

// Every rule the command service has; find_rule(name) is nullptr for a name
// no rule answers to (a test checks every name in the descriptions).
std::span<const NamedRule> rules();
Rule find_rule(std::string_view name);

}  // namespace cc::aggregate
