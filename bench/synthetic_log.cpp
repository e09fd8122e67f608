#include "bench/synthetic_log.hpp"

#include <cstdio>
#include <string>

#include "cli/seed/plan.hpp"
#include "command-service/aggregate/commands.hpp"
#include "command-service/identity/identity.hpp"
#include "command-service/write_model.hpp"
#include "model/aggregates/care.hpp"
#include "tests/support/envelope_of.hpp"

namespace cc::bench {
namespace {

constexpr int kTenants = 20;

struct Writer {
    command::WriteModel model;
    std::vector<std::int64_t> next;
    std::vector<eventlog::LogRecord> records;
    std::size_t commands = 0;

    explicit Writer(int partitions) : next(static_cast<std::size_t>(partitions), 0) {}

    void append(const Result<domain::Decision>& decision, const UserId& actor) {
        if (!decision) {
            std::fprintf(stderr, "synthetic log: %s\n", decision.error().detail.c_str());
            std::abort();
        }
        ++commands;
        for (const auto& pending : decision->events) {
            auto e = testing::envelope_of(pending);
            e.actor = actor;
            e.request.ip = "10.0.0." + std::to_string(commands % 250);
            e.request.user_agent = "complexcare-web/1.4 (Mozilla/5.0)";
            e.request.request_id = Uuid::random_v4().to_string();
            if (commands % 2 == 0) {
                e.request.idempotency_key = "key-" + std::to_string(commands);
                e.request.request_hash = std::string(64, 'a' + static_cast<char>(commands % 6));
            }
            e.correlation_id = Uuid::random_v4();
            // As command::partition_key: the tenant, or a platform row itself.
            const auto key = pending.tenant_id == kPlatformTenant ? pending.aggregate_id.to_string()
                                                                  : pending.tenant_id.to_string();
            const int partition = eventlog::partition_for(key, static_cast<int>(next.size()));
            const auto offset = next[static_cast<std::size_t>(partition)]++;
            model.apply(e, eventlog::Position{partition, offset});
            records.push_back(
                eventlog::LogRecord{partition, offset, key, events::serialize(e), {}});
        }
    }
};

}  // namespace

std::vector<eventlog::LogRecord> synthetic_log(std::size_t events, int partitions) {
    Writer w(partitions);
    w.records.reserve(events);
    const auto now = Timestamp::now();
    const auto admin = UserId::generate();
    std::vector<TenantId> tenants;
    for (int t = 0; t < kTenants; ++t) {
        const auto tenant = TenantId::generate();
        tenants.push_back(tenant);
        w.append(
            decide(w.model, identity::create_tenant(
                                tenant, json::Body{{{"name", "Agency " + std::to_string(t)},
                                                    {"slug", "agency-" + std::to_string(t)}}})),
            admin);
    }
    const auto target = [&](const model::Aggregate& a, const TenantId& tenant, const Uuid& id) {
        return aggregate::Target{&a, tenant, id, admin, now};
    };
    std::vector<std::pair<TenantId, Uuid>> patients;
    std::uint32_t n = 0;
    while (w.records.size() < events) {
        const auto& tenant = tenants[n % kTenants];
        const auto id = Uuid::random_v4();
        const auto i = std::to_string(n);
        switch (n % 10) {
            case 0:
                w.append(decide(w.model,
                                aggregate::Create{
                                    target(model::kCareProfessional, tenant, id),
                                    json::Body{{{"first_name", "Carer"},
                                                {"last_name", "No " + i},
                                                {"role", "Nurse"},
                                                {"email", "carer" + i + "@example.org"}}}}),
                         admin);
                break;
            case 3:
            case 6:
                if (!patients.empty()) {
                    const auto& [owner, patient] = patients[(n * 7919) % patients.size()];
                    w.append(decide(w.model,
                                    aggregate::Patch{target(model::kPatient, owner, patient),
                                                     std::nullopt,
                                                     json::Body{{{"phone", "020 7946 0958"},
                                                                 {"address", "2 Low Road " + i}}}}),
                             admin);
                    break;
                }
                [[fallthrough]];
            default:
                w.append(decide(w.model,
                                aggregate::Create{
                                    target(model::kPatient, tenant, id),
                                    json::Body{{{"first_name", "Patient"},
                                                {"last_name", "No " + i},
                                                {"date_of_birth", "1950-04-23"},
                                                {"nhs_number", seed::nhs_number(n)},
                                                {"address", "1 High Street, Anytown"},
                                                {"phone", "020 7946 0958"},
                                                {"email", "patient" + i + "@example.org"},
                                                {"emergency_contact",
                                                 "Next of kin, 07700 "
                                                 "900123"}}}}),
                         admin);
                patients.emplace_back(tenant, id);
        }
        ++n;
    }
    return std::move(w.records);
}

}  // namespace cc::bench
