// The start-up fold and write-model snapshots, without I/O: the fast fold
// and parse_envelope agree on every record; a snapshot decodes to a model
// that decides as the folded one; one of another format, layout or log, or
// damaged, is refused.
#include <gtest/gtest.h>

#include <cstring>

#include "bench/synthetic_log.hpp"
#include "cli/seed/plan.hpp"
#include "command-service/aggregate/commands.hpp"
#include "command-service/fold.hpp"
#include "command-service/identity/identity.hpp"
#include "command-service/snapshot.hpp"
#include "model/aggregates/appointments.hpp"
#include "model/aggregates/care.hpp"
#include "tests/support/envelope_of.hpp"

namespace cc::command {
namespace {

constexpr std::uint64_t kLog = 42;

std::vector<std::int64_t> ends_of(const std::vector<eventlog::LogRecord>& log) {
    std::vector<std::int64_t> ends(8, 0);
    for (const auto& record : log) {
        auto& end = ends[static_cast<std::size_t>(record.partition)];
        end = std::max(end, record.offset + 1);
    }
    return ends;
}

class SnapshotTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { log_ = new std::vector(bench::synthetic_log(3000)); }
    static void TearDownTestSuite() { delete log_; }

    // The log folded as start-up folds it.
    static std::unique_ptr<WriteModel> folded() {
        auto model = std::make_unique<WriteModel>();
        LogFolder folder(*model);
        for (const auto& record : *log_) EXPECT_TRUE(folder.fold(record).ok());
        EXPECT_EQ(folder.slow(), 0U) << "the bus's envelopes are read by the fast path";
        return model;
    }
    // A patient the log holds, with its tenant and NHS number.
    static std::tuple<TenantId, Uuid, std::string> some_patient(const WriteModel& model) {
        const auto& store = *model.entities.of("patient");
        for (const auto& [id, record] : store.records()) {
            if (record.deleted) continue;
            return {record.tenant, id, std::string(store.kept(record, "nhs_number").value_or(""))};
        }
        ADD_FAILURE() << "no patient in the log";
        return {};
    }
    static Result<domain::Decision> register_patient(const WriteModel& model,
                                                     const TenantId& tenant,
                                                     const std::string& nhs) {
        return aggregate::decide(
            model,
            aggregate::Create{
                {&model::kPatient, tenant, Uuid::random_v4(), UserId::generate(), Timestamp::now()},
                json::Body{
                    {{"first_name", "Again"}, {"last_name", "Registered"}, {"nhs_number", nhs}}}});
    }

    static std::vector<eventlog::LogRecord>* log_;
};
std::vector<eventlog::LogRecord>* SnapshotTest::log_ = nullptr;

TEST_F(SnapshotTest, FastFoldGivesTheModelParseEnvelopeGives) {
    WriteModel slow;
    for (const auto& record : *log_) {
        auto envelope = events::parse_envelope(record.value);
        ASSERT_TRUE(envelope.ok());
        slow.apply(*envelope, eventlog::Position{record.partition, record.offset});
    }
    const auto ends = ends_of(*log_);
    EXPECT_EQ(snapshot::encode(*folded(), ends, kLog), snapshot::encode(slow, ends, kLog));
}

// Every kind of event the write model reads, through the fast path and
// through parse_envelope: identity (a tenant updated: a version 1 updated
// event; a user registered by another; a membership granted and revoked),
// a created entity with a status, an action, an update and a delete.
TEST(FastFold, AgreesWithParseEnvelopeOnEveryKindOfEvent) {
    WriteModel decided, fast, slow;
    LogFolder folder(fast);
    std::int64_t offset = 0;
    const auto operator_id = UserId::generate();
    const auto now = *Timestamp::parse("2031-01-01T12:00:00Z");
    const auto run = [&](const Result<domain::Decision>& decision, const UserId& actor) {
        ASSERT_TRUE(decision.ok()) << decision.error().detail;
        for (const auto& pending : decision->events) {
            auto e = testing::envelope_of(pending);
            e.actor = actor;
            e.request.idempotency_key = "key-" + std::to_string(offset);
            e.request.request_id = "request-" + std::to_string(offset);
            e.request.request_hash = "hash";
            const eventlog::LogRecord record{0, offset++, "k", events::serialize(e), {}};
            decided.apply(e, eventlog::Position{0, record.offset});
            ASSERT_TRUE(folder.fold(record).ok());
            auto parsed = events::parse_envelope(record.value);
            ASSERT_TRUE(parsed.ok());
            slow.apply(*parsed, eventlog::Position{0, record.offset});
        }
    };
    const auto tenant = TenantId::generate();
    run(decide(decided,
               identity::create_tenant(tenant, json::Body{{{"name", "T"}, {"slug", "t-fold"}}})),
        operator_id);
    run(decide(decided, identity::update_tenant(tenant, 1, json::Body{{{"name", "Renamed"}}})),
        operator_id);
    const auto user = UserId::generate();
    run(decide(decided,
               identity::register_user(user, json::Body{{{"email", "Someone@Example.org"}}})),
        operator_id);
    run(decide(decided, identity::put_membership(tenant, user, MembershipId::generate(),
                                                 std::nullopt, json::Body{{{"role", "carer"}}})),
        operator_id);
    const auto target = [&](const model::Aggregate& a, const Uuid& id) {
        return aggregate::Target{&a, tenant, id, operator_id, now};
    };
    const auto patient = Uuid::random_v4();
    const auto carer = Uuid::random_v4();
    run(decide(decided, aggregate::Create{target(model::kPatient, patient),
                                          json::Body{{{"first_name", "P"},
                                                      {"last_name", "Q"},
                                                      {"nhs_number", "9434765919"}}}}),
        operator_id);
    run(decide(decided, aggregate::Create{target(model::kCareProfessional, carer),
                                          json::Body{{{"first_name", "C"},
                                                      {"last_name", "R"},
                                                      {"role", "Nurse"},
                                                      {"user_id", user.to_string()}}}}),
        operator_id);
    const auto visit = Uuid::random_v4();
    run(decide(decided, aggregate::Create{target(model::kAppointment, visit),
                                          json::Body{{{"patient_id", patient.to_string()},
                                                      {"care_professional_id", carer.to_string()},
                                                      {"start_time", "2031-02-01T09:00:00Z"},
                                                      {"end_time", "2031-02-01T10:00:00Z"}}}}),
        operator_id);
    run(decide(decided,
               aggregate::Act{target(model::kAppointment, visit),
                              model::kAppointment.action("confirm"), std::nullopt, json::Body{}}),
        operator_id);
    run(decide(decided, aggregate::Patch{target(model::kPatient, patient), 1,
                                         json::Body{{{"nhs_number", "4010232137"}}}}),
        operator_id);
    run(decide(decided, aggregate::Act{target(model::kAppointment, visit),
                                       model::kAppointment.action("cancel"), std::nullopt,
                                       json::Body{{{"reason", "ill"}}}}),
        operator_id);
    run(decide(decided, aggregate::Delete{target(model::kPatient, patient), std::nullopt}),
        operator_id);
    run(decide(decided, identity::revoke_membership(tenant, user, std::nullopt)), operator_id);
    EXPECT_EQ(folder.slow(), 0U) << "the bus's envelopes are read by the fast path";
    const std::vector<std::int64_t> next{offset};
    EXPECT_EQ(snapshot::encode(fast, next, kLog), snapshot::encode(slow, next, kLog));
    EXPECT_EQ(snapshot::encode(fast, next, kLog), snapshot::encode(decided, next, kLog));
    EXPECT_EQ(fast.registrations.registrar_of(user), operator_id);
    const auto& visits = *fast.entities.of("appointment");
    EXPECT_EQ(visits.state_name(visits.records().at(visit)), "cancelled");
}

TEST_F(SnapshotTest, RoundTripDecidesAsTheFoldedModel) {
    const auto model = folded();
    const auto ends = ends_of(*log_);
    const auto bytes = snapshot::encode(*model, ends, kLog);
    auto loaded = snapshot::decode(bytes, kLog);
    ASSERT_TRUE(loaded.ok()) << loaded.error().detail;
    EXPECT_EQ(loaded->next_offsets, ends);
    EXPECT_EQ(snapshot::encode(*loaded->model, ends, kLog), bytes);

    // Uniqueness: an NHS number registered before the snapshot is still taken.
    const auto [tenant, patient, nhs] = some_patient(*model);
    ASSERT_FALSE(nhs.empty());
    for (const auto* m : {model.get(), loaded->model.get()}) {
        const auto again = register_patient(*m, tenant, nhs);
        ASSERT_FALSE(again.ok());
        EXPECT_EQ(again.error().kind, ErrorKind::conflict);
        EXPECT_EQ(again.error().type, "nhs-number-taken");
    }
    // Versions: a PATCH at the current version is decided to the same next
    // version, one at an old version refused alike.
    const auto& record = model->entities.of("patient")->records().at(patient);
    const auto patch = [&](const WriteModel& m, std::int64_t version) {
        return aggregate::decide(m, aggregate::Patch{{&model::kPatient, tenant, patient,
                                                      UserId::generate(), Timestamp::now()},
                                                     version,
                                                     json::Body{{{"phone", "020 7946 0000"}}}});
    };
    const auto on_folded = patch(*model, record.version);
    const auto on_loaded = patch(*loaded->model, record.version);
    ASSERT_TRUE(on_folded.ok());
    ASSERT_TRUE(on_loaded.ok());
    EXPECT_EQ(on_loaded->events.front().aggregate_version,
              on_folded->events.front().aggregate_version);
    EXPECT_EQ(patch(*loaded->model, record.version - 1).error().type,
              patch(*model, record.version - 1).error().type);
}

TEST_F(SnapshotTest, RefusesAnotherFormatLayoutLogOrDamage) {
    const auto ends = ends_of(*log_);
    const auto bytes = snapshot::encode(*folded(), ends, kLog);
    const auto refusal = [](const std::string& changed, std::uint64_t log = kLog) {
        auto loaded = snapshot::decode(changed, log);
        return loaded.ok() ? std::string("accepted") : loaded.error().detail;
    };
    // The header: "CCWMSNAP", then the format version, then the layout hash.
    auto other_format = bytes;
    const std::uint32_t next_format = snapshot::kFormatVersion + 1;
    std::memcpy(other_format.data() + 8, &next_format, sizeof next_format);
    EXPECT_NE(refusal(other_format).find("format version"), std::string::npos);

    auto other_layout = bytes;
    other_layout[12] = static_cast<char>(other_layout[12] ^ 1);
    EXPECT_NE(refusal(other_layout).find("layout"), std::string::npos);

    auto damaged = bytes;
    damaged[damaged.size() / 2] = static_cast<char>(damaged[damaged.size() / 2] ^ 0x40);
    EXPECT_NE(refusal(damaged).find("checksum"), std::string::npos);

    EXPECT_NE(refusal(bytes.substr(0, bytes.size() - 100)).find("checksum"), std::string::npos);
    EXPECT_NE(refusal("not a snapshot").find("not a write-model snapshot"), std::string::npos);
    EXPECT_NE(refusal(bytes, kLog + 1).find("another log"), std::string::npos);
    EXPECT_EQ(refusal(bytes), "accepted");
}

}  // namespace
}  // namespace cc::command
