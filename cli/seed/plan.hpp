#pragma once
// The demo data of `complexcare seed` as a plan: the commands a realistic
// agency's first fortnight would send to the command API, in phases. Pure:
// the same sizes, seed and clock give the same plan, so an interrupted seed
// re-run with the same flags on the same day replays what was done (every
// command carries an Idempotency-Key) and goes on.
//
// Ids are the server's, so a step names what it creates (`captures`) and
// later steps refer to it as @{name} in their path, body or actor.
#include <cstdint>
#include <string>
#include <vector>

#include "platform/core/time.hpp"

namespace cc::seed {

struct SeedSize {
    int tenants = 1;
    int carers = 20;    // care professionals, each a member with the carer role
    int patients = 50;  // each with a care plan, medications and daily visits
    int days = 14;      // of rota, half of it already past
    int tasks = 40;     // per tenant
    std::uint32_t seed = 1;
    std::string slug = "demo-care";  // tenant n > 1 gets "<slug>-<n>"
};

// Who sends a step: the platform operator, or a user the seed created.
inline constexpr const char* kOperator = "operator";

struct Step {
    std::string method;
    std::string path;
    std::string body;  // JSON, may hold @{name}
    std::string actor = kOperator;
    std::string captures;  // the name the answer's id is kept under ("" for none)
    std::string key;       // Idempotency-Key: unique within the plan
};

struct Phase {
    std::string name;  // "patients", "visits: confirm", ...
    // No step of a phase needs another step of the same phase: they may run
    // concurrently.
    std::vector<Step> steps;
};

struct Plan {
    std::vector<Phase> phases;
    std::size_t size() const;
};

// `now` splits the rota into past visits (completed, some cancelled or
// missed) and future ones (scheduled or confirmed); the rota starts at
// midnight UTC days/2 days before it.
Plan plan_seed(const SeedSize& size, Timestamp now);

// A 10-digit NHS number with a valid Modulus 11 check digit, distinct for
// distinct `n` (n < 5 * 10^7).
std::string nhs_number(std::uint32_t n);

// Replaces every @{name} in `text` by `lookup(name)`; false (and `missing`
// set) when a name has no value.
template <class Lookup>
bool substitute(std::string& text, Lookup&& lookup, std::string& missing) {
    for (std::size_t at = text.find("@{"); at != std::string::npos; at = text.find("@{", at)) {
        const auto end = text.find('}', at);
        if (end == std::string::npos) break;
        const auto name = text.substr(at + 2, end - at - 2);
        const std::string* value = lookup(name);
        if (value == nullptr) {
            missing = name;
            return false;
        }
        text.replace(at, end - at + 1, *value);
        at += value->size();
    }
    return true;
}

}  // namespace cc::seed
