// Bytes the write model holds per aggregate, folding N PatientRegistered
// events (with NHS numbers, so the uniqueness index is populated too):
//   before: the JSON-tree entity state every aggregate used to keep
//           (domain::EntityState with all fields, plus the NHS index map);
//   after:  the compact store derived from the description (aggregate::Store).
// Heap bytes in use are read from mallinfo2 before and after each fold.
//   build/bench/bench_write_model [N]      (default 100000)
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "command-service/aggregate/store.hpp"
#include "command-service/domain/entity.hpp"
#include "model/aggregates/care.hpp"

namespace {

using namespace cc;

std::size_t heap_in_use() {
    malloc_trim(0);
    return mallinfo2().uordblks;
}

// A valid NHS number for i: nine digits from i, then the Modulus 11 check.
std::string nhs_number(std::size_t i) {
    for (std::size_t n = i;; ++n) {
        char digits[16];
        std::snprintf(digits, sizeof digits, "%09zu", 100000000 + n % 800000000);
        int sum = 0;
        for (int d = 0; d < 9; ++d) sum += (digits[d] - '0') * (10 - d);
        int check = 11 - sum % 11;
        if (check == 11) check = 0;
        if (check == 10) continue;
        return std::string(digits) + static_cast<char>('0' + check);
    }
}

events::Envelope registered(const TenantId& tenant, std::size_t i) {
    events::Envelope e;
    e.event_type = std::string(model::kPatient.created);
    e.aggregate_type = std::string(model::kPatient.name);
    e.aggregate_id = Uuid::random_v4();
    e.aggregate_version = 1;
    e.tenant_id = tenant;
    e.payload = {{"first_name", "Patient"},
                 {"last_name", "Number " + std::to_string(i)},
                 {"date_of_birth", "1950-04-23"},
                 {"nhs_number", nhs_number(i)},
                 {"address", "1 High Street, Anytown AB1 2CD"},
                 {"phone", "020 7946 0958"},
                 {"email", "patient" + std::to_string(i) + "@example.org"},
                 {"emergency_contact", "Next of kin, 07700 900123"}};
    return e;
}

// The state the write model kept before descriptions: every field, as JSON.
struct JsonTreeState {
    std::unordered_map<Uuid, domain::EntityState> patients;
    std::map<std::pair<TenantId, std::string>, Uuid> nhs_numbers;
    void apply(const events::Envelope& e) {
        auto& patient = patients[e.aggregate_id];
        domain::fold_entity(patient, e, model::kPatient.created, model::kPatient.updated,
                            model::kPatient.deleted);
        nhs_numbers[{e.tenant_id, std::string(patient.fields.at("nhs_number").as_string())}] =
            e.aggregate_id;
    }
};

template <class State>
double bytes_per_aggregate(std::size_t n) {
    const auto tenant = TenantId::generate();
    std::vector<events::Envelope> events;
    events.reserve(n);
    for (std::size_t i = 0; i < n; ++i) events.push_back(registered(tenant, i));
    const auto before = heap_in_use();
    auto state = std::make_unique<State>();
    for (const auto& e : events) state->apply(e);
    const auto after = heap_in_use();
    return static_cast<double>(after - before) / static_cast<double>(n);
}

struct CompactState {
    aggregate::Store store{model::kPatient};
    void apply(const events::Envelope& e) { store.apply(e); }
};

}  // namespace

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100000;
    const double json_tree = bytes_per_aggregate<JsonTreeState>(n);
    const double compact = bytes_per_aggregate<CompactState>(n);
    std::printf("write model, %zu patients (heap bytes per aggregate, mallinfo2)\n", n);
    std::printf("  before (JSON tree of every field + NHS index): %8.1f\n", json_tree);
    std::printf("  after  (compact store from the description) : %8.1f\n", compact);
    std::printf("  ratio                                        : %8.2fx smaller\n",
                json_tree / compact);
    return 0;
}
