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
#include "command-service/snapshot.hpp"
#include "model/aggregates/care.hpp"

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
