// The demo seed's plan, without I/O: what it would send must be a valid,
// clash-free, dependency-ordered and repeatable fortnight of an agency.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>

#include "cli/seed/plan.hpp"
#include "model/formats.hpp"

namespace cc::seed {
namespace {

// 2026-11-25T13:30:00Z: mid-afternoon, so today's rota is part past, part future.
const Timestamp kNow = *Timestamp::parse("2026-11-25T13:30:00Z");

SeedSize small() {
    SeedSize size;
    size.tenants = 2;
    size.carers = 4;
    size.patients = 9;
    size.days = 4;
    size.tasks = 12;
    size.seed = 7;
    return size;
}

std::vector<const Step*> steps_to(const Plan& plan, std::string_view suffix) {
    std::vector<const Step*> out;
    for (const auto& phase : plan.phases)
        for (const auto& step : phase.steps)
            if (step.path.ends_with(suffix)) out.push_back(&step);
    return out;
}

boost::json::object body(const Step& step) {
    return boost::json::parse(step.body).as_object();
}

TEST(SeedPlan, IsTheSameForTheSameSizesSeedAndClock) {
    const auto a = plan_seed(small(), kNow);
    const auto b = plan_seed(small(), kNow);
    ASSERT_EQ(a.phases.size(), b.phases.size());
    for (std::size_t p = 0; p < a.phases.size(); ++p) {
        ASSERT_EQ(a.phases[p].steps.size(), b.phases[p].steps.size());
        for (std::size_t s = 0; s < a.phases[p].steps.size(); ++s) {
            const auto &x = a.phases[p].steps[s], &y = b.phases[p].steps[s];
            EXPECT_EQ(std::tie(x.method, x.path, x.body, x.actor, x.key),
                      std::tie(y.method, y.path, y.body, y.actor, y.key));
        }
    }
    auto other = small();
    other.seed = 8;
    EXPECT_NE(plan_seed(other, kNow).phases[4].steps[0].body, a.phases[4].steps[0].body)
        << "another seed, other people";
}

TEST(SeedPlan, MakesWhatTheFlagsAskFor) {
    const auto plan = plan_seed(small(), kNow);
    EXPECT_EQ(steps_to(plan, "/patients").size(), 2u * 9);
    EXPECT_EQ(steps_to(plan, "/care-professionals").size(), 2u * 4);
    EXPECT_EQ(steps_to(plan, "/tasks").size(), 2u * 12);
    EXPECT_EQ(steps_to(plan, "/care-plans").size(), 2u * 9);
    EXPECT_EQ(steps_to(plan, "/v1/tenants").size(), 2u);
    const auto visits = steps_to(plan, "/appointments");
    EXPECT_GE(visits.size(), 2u * 9 * 4) << "every patient has at least one call a day";
    EXPECT_LE(visits.size(), 2u * 9 * 4 * 4);
}

TEST(SeedPlan, NoCarerIsBookedTwiceAtOnceAndEveryVisitIsInTheRota) {
    const auto plan = plan_seed(small(), kNow);
    const auto rota_start = *Timestamp::parse("2026-11-23T00:00:00Z");  // days/2 before today
    const auto rota_end = *Timestamp::parse("2026-11-27T00:00:00Z");
    std::map<std::string, std::vector<std::pair<Timestamp, Timestamp>>> by_carer;
    for (const auto* step : steps_to(plan, "/appointments")) {
        const auto visit = body(*step);
        const auto start = *Timestamp::parse(visit.at("start_time").as_string());
        const auto end = *Timestamp::parse(visit.at("end_time").as_string());
        EXPECT_LT(start, end);
        EXPECT_LE(end.micros() - start.micros(), 60LL * 60 * 1'000'000);
        EXPECT_GE(start, rota_start);
        EXPECT_LE(end, rota_end);
        // The carer's placeholder names the tenant too ("@{t1:carer:3}").
        by_carer[std::string(visit.at("care_professional_id").as_string())].emplace_back(start,
                                                                                         end);
    }
    EXPECT_EQ(by_carer.size(), 2u * 4) << "every carer works";
    for (auto& [carer, visits] : by_carer) {
        std::sort(visits.begin(), visits.end());
        for (std::size_t i = 1; i < visits.size(); ++i)
            EXPECT_LE(visits[i - 1].second, visits[i].first) << carer << " is double-booked";
    }
}

TEST(SeedPlan, StepsFollowEachVisitsLifecycleAndTheClock) {
    const auto plan = plan_seed(small(), kNow);
    // The phase each step of a visit runs in, by its key ("...:visit:12:start").
    std::map<std::string, std::map<std::string, std::size_t>> phase_of;
    std::map<std::string, Timestamp> start_of, end_of;
    for (std::size_t p = 0; p < plan.phases.size(); ++p) {
        for (const auto& step : plan.phases[p].steps) {
            const auto at = step.key.find(":visit:");
            if (at == std::string::npos) continue;
            const auto rest = step.key.substr(at + 7);
            const auto colon = rest.find(':');
            const auto visit = step.key.substr(0, at) + rest.substr(0, colon);
            if (colon == std::string::npos) {
                const auto b = body(step);
                start_of[visit] = *Timestamp::parse(b.at("start_time").as_string());
                end_of[visit] = *Timestamp::parse(b.at("end_time").as_string());
                phase_of[visit]["book"] = p;
            } else {
                phase_of[visit][rest.substr(colon + 1)] = p;
            }
        }
    }
    int completed = 0, future_confirmed = 0;
    for (const auto& [visit, steps] : phase_of) {
        const bool begun = start_of.at(visit) < kNow;
        for (const auto& [action, phase] : steps) {
            if (action != "book") {
                EXPECT_GT(phase, steps.at("book")) << visit << " " << action;
            }
        }
        if (steps.contains("start")) {
            EXPECT_TRUE(begun) << visit;
            EXPECT_GT(steps.at("start"), steps.at("confirm")) << visit;
        }
        if (steps.contains("complete")) {
            EXPECT_LE(end_of.at(visit), kNow) << visit << " completed before it ended";
            EXPECT_GT(steps.at("complete"), steps.at("start")) << visit;
            ++completed;
        }
        if (steps.contains("no-show")) {
            EXPECT_TRUE(begun) << visit << " missed before it began";
        }
        if (!begun) {
            EXPECT_LE(steps.size(), 2u) << visit << ": a future visit is at most confirmed";
            future_confirmed += steps.contains("confirm") ? 1 : 0;
        }
    }
    EXPECT_GT(completed, 0);
    EXPECT_GT(future_confirmed, 0);
}

TEST(SeedPlan, EveryPlaceholderIsCapturedInAnEarlierPhase) {
    const auto plan = plan_seed(small(), kNow);
    std::set<std::string> captured;
    std::set<std::string> keys;
    for (const auto& phase : plan.phases) {
        for (const auto& step : phase.steps) {
            std::string missing;
            for (auto text : {step.path, step.body, step.actor}) {
                EXPECT_TRUE(substitute(
                    text,
                    [&](const std::string& name) -> const std::string* {
                        static const std::string id = "00000000-0000-4000-8000-000000000000";
                        return captured.contains(name) ? &id : nullptr;
                    },
                    missing))
                    << phase.name << ": " << step.path << " needs " << missing;
            }
            EXPECT_TRUE(keys.insert(step.key).second) << "duplicate key " << step.key;
        }
        for (const auto& step : phase.steps)
            if (!step.captures.empty()) captured.insert(step.captures);
    }
}

TEST(SeedPlan, PatientsHaveValidDistinctNhsNumbersAndNoDoubleMedication) {
    const auto plan = plan_seed(small(), kNow);
    std::set<std::string> numbers;
    for (const auto* step : steps_to(plan, "/patients")) {
        const auto number = std::string(body(*step).at("nhs_number").as_string());
        EXPECT_TRUE(model::is_nhs_number(number)) << number;
        EXPECT_TRUE(numbers.insert(number).second) << number;
        EXPECT_TRUE(model::is_uk_phone(body(*step).at("phone").as_string()));
    }
    std::set<std::pair<std::string, std::string>> medications;
    for (const auto* step : steps_to(plan, "/medications")) {
        const auto b = body(*step);
        EXPECT_TRUE(medications
                        .emplace(std::string(b.at("patient_id").as_string()),
                                 std::string(b.at("name").as_string()))
                        .second)
            << step->body;
    }
    for (std::uint32_t n = 0; n < 5000; ++n) ASSERT_TRUE(model::is_nhs_number(nhs_number(n))) << n;
}

TEST(SeedPlan, SubstituteFillsEveryPlaceholderOrNamesTheMissingOne) {
    const std::map<std::string, std::string> ids{{"t1:tenant", "T"}, {"t1:patient:0", "P"}};
    const auto lookup = [&](const std::string& name) -> const std::string* {
        auto it = ids.find(name);
        return it == ids.end() ? nullptr : &it->second;
    };
    std::string text = "/v1/tenants/@{t1:tenant}/patients/@{t1:patient:0}/x", missing;
    ASSERT_TRUE(substitute(text, lookup, missing));
    EXPECT_EQ(text, "/v1/tenants/T/patients/P/x");
    text = R"({"patient_id":"@{t1:patient:9}"})";
    EXPECT_FALSE(substitute(text, lookup, missing));
    EXPECT_EQ(missing, "t1:patient:9");
}

}  // namespace
}  // namespace cc::seed
