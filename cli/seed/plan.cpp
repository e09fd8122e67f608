#include "cli/seed/plan.hpp"

#include <boost/json.hpp>

#include <array>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string_view>
#include <tuple>

#include "model/formats.hpp"

namespace cc::seed {
namespace {

constexpr std::int64_t kMicrosPerMinute = 60'000'000;
constexpr std::int64_t kMicrosPerDay = 24 * 60 * kMicrosPerMinute;

constexpr std::array<std::string_view, 24> kFirstNames{
    "Olivia", "Amelia",   "Isla",   "Ava",    "Mia",      "Ivy",    "Lily",  "Grace",
    "Freya",  "Florence", "Oliver", "George", "Noah",     "Arthur", "Leo",   "Harry",
    "Oscar",  "Jack",     "Alfie",  "Theo",   "Mohammed", "Priya",  "Kwame", "Siobhan"};
constexpr std::array<std::string_view, 24> kLastNames{
    "Smith",    "Jones", "Taylor", "Brown",   "Williams", "Wilson", "Johnson", "Davies",
    "Patel",    "Evans", "Thomas", "Roberts", "Khan",     "Walker", "Wright",  "Robinson",
    "Thompson", "White", "Hughes", "Edwards", "Green",    "Hall",   "Okafor",  "Murphy"};
constexpr std::array<std::string_view, 10> kStreets{
    "High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane",
    "Park Avenue", "Green Lane",   "Manor Road",  "Kings Road",    "Queensway"};
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kTowns{{{"Leeds", "LS6"},
                                                                               {"York", "YO31"},
                                                                               {"Bradford", "BD9"},
                                                                               {"Harrogate", "HG1"},
                                                                               {"Wakefield", "WF1"},
                                                                               {"Halifax", "HX3"}}};
constexpr std::array<std::string_view, 4> kCarerRoles{"Care Assistant", "Senior Carer",
                                                      "Registered Nurse", "Support Worker"};
constexpr std::array<std::string_view, 8> kPlanTitles{
    "Falls prevention", "Nutrition and hydration", "Pressure area care",  "Medication support",
    "Personal care",    "Tracheostomy care",       "Epilepsy management", "PEG feeding"};
struct Medicine {
    std::string_view name, dosage, frequency;
};
constexpr std::array<Medicine, 10> kMedicines{{{"Paracetamol", "1 g", "four times daily"},
                                               {"Metformin", "500 mg", "twice daily"},
                                               {"Amlodipine", "5 mg", "once daily"},
                                               {"Levetiracetam", "500 mg", "twice daily"},
                                               {"Omeprazole", "20 mg", "once daily"},
                                               {"Baclofen", "10 mg", "three times daily"},
                                               {"Salbutamol", "100 micrograms", "as required"},
                                               {"Furosemide", "40 mg", "each morning"},
                                               {"Sertraline", "50 mg", "once daily"},
                                               {"Atorvastatin", "20 mg", "at night"}}};
constexpr std::array<std::string_view, 8> kTaskTitles{
    "Reorder continence pads",   "Book GP review",
    "Update risk assessment",    "Chase pharmacy delivery",
    "Service the hoist",         "Family meeting notes",
    "Check fridge temperatures", "Refresher moving-and-handling training"};
constexpr std::array<std::string_view, 4> kPriorities{"low", "normal", "high", "urgent"};
constexpr std::array<std::string_view, 3> kCancelReasons{"Patient admitted to hospital",
                                                         "Family visiting", "Declined the visit"};
// A care package's calls in a day: breakfast, lunch, tea and bed.
constexpr std::array<int, 4> kCallHours{8, 12, 17, 21};
constexpr std::array<int, 3> kCallMinutes{30, 45, 60};

// Staff every tenant has besides its carers: (who, role, display name).
constexpr std::array<std::tuple<std::string_view, std::string_view, std::string_view>, 5> kOffice{
    {{"admin", "admin", "Alex Morgan"},
     {"manager", "manager", "Sam Okonkwo"},
     {"clinician", "clinician", "Dr Rhiannon Price"},
     {"finance", "finance", "Jordan Lee"},
     {"auditor", "auditor", "Casey Brennan"}}};

std::string iso_date(std::int64_t micros) {
    return Timestamp::from_micros(micros).to_string().substr(0, 10);
}
std::string iso_time(std::int64_t micros) {
    // Whole minutes: "2026-11-25T08:00:00Z".
    return Timestamp::from_micros(micros).to_string().substr(0, 19) + "Z";
}

std::string placeholder(const std::string& name) {
    return "@{" + name + "}";
}

class Builder {
  public:
    Builder(const SeedSize& size, Timestamp now)
        : size_(size), now_(now.micros()), rng_(size.seed) {
        rota_start_ = (now_ / kMicrosPerDay - size.days / 2) * kMicrosPerDay;
    }

    Plan build() {
        for (int t = 1; t <= size_.tenants; ++t) tenant(t);
        Plan plan;
        for (auto& [order, phase] : phases_) plan.phases.push_back(std::move(phase));
        return plan;
    }

  private:
    // Phases in the order they run; a tenant's steps join its phase.
    enum Order {
        tenants,
        accounts,
        memberships,
        professionals,
        patients,
        records,
        first_steps,
        second_steps,
        third_steps
    };

    Step& add(Order order, std::string_view phase, Step step) {
        auto& p = phases_[order];
        if (p.name.empty()) p.name = std::string(phase);
        p.steps.push_back(std::move(step));
        return p.steps.back();
    }
    std::uint32_t pick(std::uint32_t n) { return static_cast<std::uint32_t>(rng_() % n); }
    bool chance(int percent) { return pick(100) < static_cast<std::uint32_t>(percent); }
    template <class Array>
    std::string_view any(const Array& values) {
        return values[pick(static_cast<std::uint32_t>(values.size()))];
    }

    void tenant(int t) {
        const std::string slug = t == 1 ? size_.slug : size_.slug + "-" + std::to_string(t);
        const std::string n = "t" + std::to_string(t) + ":";  // capture names of this tenant
        const std::string key = "seed:" + slug + ":";
        const std::string base = "/v1/tenants/" + placeholder(n + "tenant");
        const auto json = [](boost::json::object o) { return boost::json::serialize(o); };

        add(tenants, "tenants",
            {"POST", "/v1/tenants",
             json({{"name", "Demo Care " + std::to_string(t)},
                   {"slug", slug},
                   {"primary_color", "#2a7f62"}}),
             kOperator, n + "tenant", key + "tenant"});

        auto account = [&](const std::string& who, const std::string& role,
                           const std::string& name) {
            add(accounts, "staff accounts",
                {"POST", "/v1/users",
                 json({{"email", who + "@" + slug + ".example.org"}, {"name", name}}), kOperator,
                 n + "user:" + who, key + "user:" + who});
            add(memberships, "memberships",
                {"PUT", base + "/members/" + placeholder(n + "user:" + who), json({{"role", role}}),
                 kOperator, "", key + "member:" + who});
        };
        for (const auto& [who, role, name] : kOffice)
            account(std::string(who), std::string(role), std::string(name));
        const std::string admin = placeholder(n + "user:admin");
        const std::string manager = placeholder(n + "user:manager");
        const std::string clinician = placeholder(n + "user:clinician");

        std::vector<std::string> carer_users;
        for (int c = 0; c < size_.carers; ++c) {
            const std::string who = "carer" + std::to_string(c + 1);
            const std::string first(any(kFirstNames)), last(any(kLastNames));
            account(who, "carer", first + " " + last);
            carer_users.push_back(placeholder(n + "user:" + who));
            add(professionals, "care professionals",
                {"POST", base + "/care-professionals",
                 json({{"first_name", first},
                       {"last_name", last},
                       {"role", any(kCarerRoles)},
                       {"user_id", carer_users.back()},
                       {"contact_number", "07700 900" + std::to_string(100 + c % 900)},
                       {"email", who + "@" + slug + ".example.org"}}),
                 admin, n + "carer:" + std::to_string(c), key + "carer:" + std::to_string(c)});
        }

        // Which carer holds which hour of which day: one visit per carer per
        // hour, and no visit is longer than an hour, so none overlap.
        std::set<std::tuple<int, int, int>> busy;  // (carer, day, hour)
        int visits = 0;
        for (int p = 0; p < size_.patients; ++p) {
            const std::string patient = n + "patient:" + std::to_string(p);
            // One draw per statement: the order of a call's arguments is
            // unspecified, and the plan must not depend on the compiler.
            char dob[11];
            const auto year = 1935 + pick(70);
            const auto month = 1 + pick(12);
            std::snprintf(dob, sizeof dob, "%04u-%02u-%02u", year, month, 1 + pick(28));
            const auto first_name = any(kFirstNames);
            const auto last_name = any(kLastNames);
            const auto town = kTowns[pick(kTowns.size())];
            std::string address = std::to_string(1 + pick(120)) + " ";
            address += std::string(any(kStreets)) + ", " + std::string(town.first) + ", ";
            address += std::string(town.second) + " " + std::to_string(1 + pick(9)) + "AB";
            const auto phone = "0113 496 0" + std::to_string(100 + pick(900));
            std::string next_of_kin(any(kFirstNames));
            next_of_kin += " (next of kin) 07700 900" + std::to_string(100 + pick(900));
            add(patients, "patients",
                {"POST", base + "/patients",
                 json({{"first_name", first_name},
                       {"last_name", last_name},
                       {"date_of_birth", dob},
                       {"nhs_number", nhs_number(static_cast<std::uint32_t>(t * 100000 + p))},
                       {"address", address},
                       {"phone", phone},
                       {"emergency_contact", next_of_kin}}),
                 admin, patient, key + "patient:" + std::to_string(p)});
            care_plan(n, key, base, patient, p, clinician, manager);
            medications(n, key, base, patient, p, clinician);
            if (size_.carers == 0) continue;
            const int calls = 1 + static_cast<int>(pick(4));
            const int minutes = kCallMinutes[pick(kCallMinutes.size())];
            const int primary = p % size_.carers;
            for (int day = 0; day < size_.days; ++day) {
                for (int call = 0; call < calls; ++call) {
                    const auto slot = free_slot(busy, primary, day, kCallHours[call]);
                    if (!slot) continue;
                    busy.insert({slot->first, day, slot->second});
                    visit(n, key, visits++, base, patient, slot->first, day, slot->second, minutes,
                          manager, carer_users[static_cast<std::size_t>(slot->first)]);
                }
            }
        }
        for (int k = 0; k < size_.tasks; ++k) {
            std::vector<std::string> assignees = carer_users;
            assignees.push_back(manager);
            task(n, key + "task:" + std::to_string(k), base, k, manager,
                 assignees[pick(static_cast<std::uint32_t>(assignees.size()))]);
        }
    }

    // The patient's usual carer at the usual hour, else a colleague, else
    // the nearest hour someone is free; nullopt when the team is full.
    std::optional<std::pair<int, int>> free_slot(const std::set<std::tuple<int, int, int>>& busy,
                                                 int primary, int day, int hour) const {
        for (int shift : {0, 1, -1, 2, -2}) {
            const int h = hour + shift;
            if (h < 7 || h > 22) continue;
            for (int i = 0; i < size_.carers; ++i) {
                const int carer = (primary + i) % size_.carers;
                if (!busy.contains({carer, day, h})) return std::pair{carer, h};
            }
        }
        return std::nullopt;
    }

    void visit(const std::string& n, const std::string& tenant_key, int index,
               const std::string& base, const std::string& patient, int carer, int day, int hour,
               int minutes, const std::string& manager, const std::string& carer_user) {
        const std::int64_t start = rota_start_ + day * kMicrosPerDay +
                                   static_cast<std::int64_t>(hour) * 60 * kMicrosPerMinute;
        const std::int64_t end = start + minutes * kMicrosPerMinute;
        const std::string id = n + "visit:" + std::to_string(index);
        const std::string key = tenant_key + "visit:" + std::to_string(index);
        add(records, "care records",
            {"POST", base + "/appointments",
             boost::json::serialize(boost::json::object{
                 {"patient_id", placeholder(patient)},
                 {"care_professional_id", placeholder(n + "carer:" + std::to_string(carer))},
                 {"start_time", iso_time(start)},
                 {"end_time", iso_time(end)}}),
             manager, id, key});
        const std::string item = base + "/appointments/" + placeholder(id);
        // One roll per visit whatever its time, so a later re-run draws the
        // same plan and only adds the steps of visits that have since begun.
        const auto roll = pick(100);
        if (start >= now_) {
            if (roll < 60)
                add(first_steps, "first steps",
                    {"POST", item + "/confirm", "", manager, "", key + ":confirm"});
            return;
        }
        if (roll < 5) {
            add(first_steps, "first steps",
                {"POST", item + "/cancel",
                 boost::json::serialize(
                     boost::json::object{{"reason", kCancelReasons[roll % kCancelReasons.size()]}}),
                 manager, "", key + ":cancel"});
            return;
        }
        if (roll < 9) {
            add(first_steps, "first steps",
                {"POST", item + "/no-show", "", carer_user, "", key + ":no-show"});
            return;
        }
        add(first_steps, "first steps",
            {"POST", item + "/confirm", "", manager, "", key + ":confirm"});
        add(second_steps, "second steps",
            {"POST", item + "/start", "", carer_user, "", key + ":start"});
        if (end <= now_)
            add(third_steps, "third steps",
                {"POST", item + "/complete", "", carer_user, "", key + ":complete"});
    }

    void care_plan(const std::string& n, const std::string& key, const std::string& base,
                   const std::string& patient, int p, const std::string& clinician,
                   const std::string& manager) {
        const std::string id = n + "plan:" + std::to_string(p);
        const auto start = rota_start_ - static_cast<std::int64_t>(pick(120)) * kMicrosPerDay;
        const std::string title(any(kPlanTitles));
        add(records, "care records",
            {"POST", base + "/care-plans",
             boost::json::serialize(boost::json::object{
                 {"patient_id", placeholder(patient)},
                 {"title", title},
                 {"description", title + ": goals, interventions and who does what."},
                 {"start_date", iso_date(start)},
                 {"end_date", iso_date(start + 180 * kMicrosPerDay)}}),
             clinician, id, key + "plan:" + std::to_string(p)});
        if (chance(85)) {
            add(first_steps, "first steps",
                {"POST", base + "/care-plans/" + placeholder(id) + "/activate", "", manager, "",
                 key + "plan:" + std::to_string(p) + ":activate"});
        }
    }

    void medications(const std::string& n, const std::string& key, const std::string& base,
                     const std::string& patient, int p, const std::string& clinician) {
        const auto count = 1 + pick(4);
        const auto first = pick(kMedicines.size());
        for (std::uint32_t m = 0; m < count; ++m) {
            // Consecutive entries of the list: distinct names for one patient.
            const auto& medicine = kMedicines[(first + m) % kMedicines.size()];
            const std::string suffix = std::to_string(p) + ":" + std::to_string(m);
            const std::string id = n + "medication:" + suffix;
            add(records, "care records",
                {"POST", base + "/medications",
                 boost::json::serialize(boost::json::object{
                     {"patient_id", placeholder(patient)},
                     {"name", medicine.name},
                     {"dosage", medicine.dosage},
                     {"frequency", medicine.frequency},
                     {"start_date",
                      iso_date(rota_start_ - static_cast<std::int64_t>(pick(365)) * kMicrosPerDay)},
                     {"prescriber", "Dr " + std::string(any(kLastNames))}}),
                 clinician, id, key + "medication:" + suffix});
            if (chance(10)) {
                add(first_steps, "first steps",
                    {"POST", base + "/medications/" + placeholder(id) + "/discontinue",
                     R"({"reason":"Stopped at medication review"})", clinician, "",
                     key + "medication:" + suffix + ":discontinue"});
            }
        }
    }

    void task(const std::string& n, const std::string& key, const std::string& base, int k,
              const std::string& manager, const std::string& assignee) {
        const std::string id = n + "task:" + std::to_string(k);
        boost::json::object body{
            {"title", any(kTaskTitles)}, {"priority", any(kPriorities)}, {"assigned_to", assignee}};
        if (!chance(15)) {
            const auto due =
                (now_ / kMicrosPerDay - 5 + static_cast<std::int64_t>(pick(16))) * kMicrosPerDay +
                17 * 60 * kMicrosPerMinute;
            body["due_date"] = iso_time(due);
        }
        if (size_.patients > 0 && chance(70)) {
            body["patient_id"] = placeholder(
                n + "patient:" + std::to_string(pick(static_cast<std::uint32_t>(size_.patients))));
        }
        add(records, "care records",
            {"POST", base + "/tasks", boost::json::serialize(body), manager, id, key});
        const auto progress = pick(100);
        if (progress < 50) {
            add(first_steps, "first steps",
                {"POST", base + "/tasks/" + placeholder(id) + "/start", "", assignee, "",
                 key + ":start"});
        }
        if (progress < 30) {
            add(second_steps, "second steps",
                {"POST", base + "/tasks/" + placeholder(id) + "/complete", "", assignee, "",
                 key + ":complete"});
        }
    }

    const SeedSize& size_;
    std::int64_t now_;
    std::int64_t rota_start_;
    std::mt19937 rng_;
    std::map<Order, Phase> phases_;
};

}  // namespace

std::size_t Plan::size() const {
    std::size_t n = 0;
    for (const auto& phase : phases) n += phase.steps.size();
    return n;
}

Plan plan_seed(const SeedSize& size, Timestamp now) {
    return Builder(size, now).build();
}

std::string nhs_number(std::uint32_t n) {
    // About one prefix in eleven has no valid check digit: walk on past it.
    for (std::uint64_t prefix = 400000000ULL + static_cast<std::uint64_t>(n) * 11;; ++prefix) {
        const std::string digits = std::to_string(prefix);
        for (char check = '0'; check <= '9'; ++check) {
            if (model::is_nhs_number(digits + check)) return digits + check;
        }
    }
}

}  // namespace cc::seed
