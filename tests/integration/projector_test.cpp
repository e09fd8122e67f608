#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <pqxx/pqxx>
#include <random>
#include <thread>

#include "cli/audit_verify.hpp"
#include "events/envelope.hpp"
#include "platform/eventlog/factory.hpp"
#include "projector/projector.hpp"
#include "tests/support/catch_up.hpp"
#include "tests/support/envelope_of.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/forwarding_reader.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/process.hpp"

namespace cc::projector {
namespace {

using namespace std::chrono_literals;
constexpr int kPartitions = 4;

// As the command bus would append it, from a client of the test's own.
events::Envelope envelope(std::string_view type, std::string_view aggregate, Uuid id,
                          TenantId tenant, std::int64_t version, boost::json::object payload) {
    auto e = testing::envelope_of(type, aggregate, id, tenant, version, std::move(payload));
    e.request.ip = "10.1.2.3";
    e.request.user_agent = "projector-test";
    return e;
}

class ProjectorTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = std::string("projector_") + test->name();
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        url_ = testing::postgres().create_database(name.substr(0, 60));
        config_.postgres = {url_, kPartitions};
        writer_ = eventlog::open_writer(config_);
    }

    // Appends under the key the command service would use.
    void append(const events::Envelope& e) {
        const auto key =
            e.tenant_id == kPlatformTenant ? e.aggregate_id.to_string() : e.tenant_id.to_string();
        append_raw(key, events::serialize(e));
    }
    void append_raw(const std::string& key, const std::string& value) {
        eventlog::OutgoingRecord record{key, value, {}};
        ASSERT_TRUE(writer_->append(eventlog::partition_for(key, kPartitions), {&record, 1}).ok());
    }

    std::unique_ptr<Projector> projector() {
        return std::make_unique<Projector>(
            ProjectorOptions{.database_url = url_, .topic = "event_log", .reference_retry = 10ms});
    }

    // A reader that starts where `p`'s checkpoints are; in the projectors'
    // group unless `group` says otherwise ("": no group, every partition).
    std::unique_ptr<eventlog::LogReader> reader_of(Projector& p, std::string group = "projector") {
        return eventlog::open_reader(
            config_,
            {.group = std::move(group), .start_offset = [&p](int i) { return p.checkpoint(i); }});
    }

    void drain(Projector& p, eventlog::LogReader& reader) {
        const auto stopped = testing::catch_up(p, reader);
        ASSERT_TRUE(stopped.empty()) << stopped;
    }

    long count(const std::string& sql) { return testing::scalar(url_, sql); }

    std::string url_;
    eventlog::LogConfig config_;
    std::unique_ptr<eventlog::LogWriter> writer_;
};

TEST_F(ProjectorTest, AppliesIdentityEventsWithOneAuditRowEach) {
    const auto tenant = TenantId::generate();
    const auto user = UserId::generate();
    const auto membership = Uuid::random_v4();
    append(envelope("TenantCreated", "tenant", tenant.uuid(), tenant, 1,
                    {{"name", "Sunrise"},
                     {"slug", "sunrise"},
                     {"domain", nullptr},
                     {"logo_url", nullptr},
                     {"primary_color", "#112233"}}));
    append(envelope("UserRegistered", "user", user.uuid(), kPlatformTenant, 1,
                    {{"email", "jane@example.org"}, {"name", "Jane"}, {"avatar_url", nullptr}}));
    append(envelope("MembershipGranted", "membership", membership, tenant, 1,
                    {{"user_id", user.to_string()}, {"role", "carer"}, {"is_primary", true}}));
    append(envelope("TenantUpdated", "tenant", tenant.uuid(), tenant, 2,
                    {{"changes", {{"name", {{"old", "Sunrise"}, {"new", "Sunrise Care"}}}}}}));
    append(envelope("MembershipRevoked", "membership", membership, tenant, 2,
                    {{"user_id", user.to_string()}}));

    auto p = projector();
    auto reader = reader_of(*p);
    drain(*p, *reader);

    EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE name = 'Sunrise Care' AND primary_color = "
                    "'#112233'"),
              1);
    EXPECT_EQ(count("SELECT count(*) FROM users WHERE email = 'jane@example.org'"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM user_tenants WHERE role = 'carer' AND is_primary AND "
                    "deleted_at IS NOT NULL"),
              1);
    EXPECT_EQ(count("SELECT count(*) FROM audit_logs"), 5);
    EXPECT_EQ(
        count(
            "SELECT count(*) FROM audit_logs WHERE tenant_id = '" + tenant.to_string() +
            "' AND action = 'TenantUpdated' AND entity_type = 'tenant' AND ip_address = '10.1.2.3' "
            "AND user_agent = 'projector-test' AND details->'changes'->'name'->>'old' = 'Sunrise'"),
        1);
    EXPECT_EQ(
        count("SELECT version FROM entity_versions WHERE entity_id = '" + tenant.to_string() + "'"),
        2);
}

TEST_F(ProjectorTest, WaitsForAReferenceFromAnotherPartitionInsteadOfDroppingIt) {
    const auto tenant = TenantId::generate();
    // The user's events must live in another partition than the tenant's: in
    // the same partition the write side always appends the user first.
    auto user = UserId::generate();
    while (eventlog::partition_for(user.to_string(), kPartitions) ==
           eventlog::partition_for(tenant.to_string(), kPartitions)) {
        user = UserId::generate();
    }
    append(envelope("TenantCreated", "tenant", tenant.uuid(), tenant, 1,
                    {{"name", "T"}, {"slug", "t"}}));
    append(envelope("MembershipGranted", "membership", Uuid::random_v4(), tenant, 1,
                    {{"user_id", user.to_string()}, {"role", "admin"}, {"is_primary", false}}));
    auto p = projector();
    auto reader = reader_of(*p);
    ASSERT_TRUE(testing::eventually([&] {
        EXPECT_TRUE(p->run_once(*reader, 50ms).ok());
        return count("SELECT count(*) FROM tenants WHERE slug = 't'") == 1;
    })) << "what precedes the wait is kept";
    // The membership's partition has been read (its checkpoint stands still
    // at the waiting event) and it is still not applied.
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(p->run_once(*reader, 50ms).ok());
    EXPECT_EQ(count("SELECT count(*) FROM user_tenants"), 0);
    EXPECT_EQ(count("SELECT count(*) FROM dead_letters"), 0)
        << "a missing reference is not a dead letter";

    append(envelope("UserRegistered", "user", user.uuid(), kPlatformTenant, 1,
                    {{"email", "u@example.org"}}));
    drain(*p, *reader);
    EXPECT_EQ(count("SELECT count(*) FROM user_tenants WHERE role = 'admin'"), 1);
}

// Partitions are applied side by side: one held up (here by a lock on its
// checkpoint row, as a slow batch or a lock wait would) does not hold up
// the partitions polled with it.
TEST_F(ProjectorTest, APartitionHeldUpDoesNotHoldUpTheOthers) {
    auto held = TenantId::generate();
    auto other = TenantId::generate();
    const auto partition_of = [](const TenantId& t) {
        return eventlog::partition_for(t.to_string(), kPartitions);
    };
    // The held partition comes first in a round, as applied one after another.
    while (partition_of(held) >= partition_of(other)) {
        held = TenantId::generate();
        other = TenantId::generate();
    }
    append(envelope("TenantCreated", "tenant", held.uuid(), held, 1,
                    {{"name", "Held"}, {"slug", "held"}}));
    append(envelope("TenantCreated", "tenant", other.uuid(), other, 1,
                    {{"name", "Other"}, {"slug", "other"}}));
    auto p = projector();
    auto reader = reader_of(*p);
    drain(*p, *reader);

    pqxx::connection blocker(url_);
    pqxx::work lock(blocker);
    lock.exec_params("SELECT FROM projection_checkpoints WHERE partition = $1 FOR UPDATE",
                     partition_of(held));
    append(envelope("TenantUpdated", "tenant", held.uuid(), held, 2,
                    {{"changes", {{"name", {{"old", "Held"}, {"new", "Held 2"}}}}}}));
    append(envelope("TenantUpdated", "tenant", other.uuid(), other, 2,
                    {{"changes", {{"name", {{"old", "Other"}, {"new", "Other 2"}}}}}}));
    std::thread round([&] { drain(*p, *reader); });
    const bool other_applied = testing::eventually(
        [&] { return count("SELECT count(*) FROM tenants WHERE name = 'Other 2'") == 1; });
    EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE name = 'Held 2'"), 0);
    lock.commit();
    round.join();
    EXPECT_TRUE(other_applied) << "the other partition waited for the held one";
    EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE name = 'Held 2'"), 1);
}

// Tells a test how many polls a projector has made, as they start.
class PollSignallingReader final : public testing::ForwardingReader {
  public:
    using ForwardingReader::ForwardingReader;
    Result<std::vector<eventlog::LogRecord>> poll(std::size_t max_records,
                                                  std::chrono::milliseconds timeout) override {
        {
            std::lock_guard lock(mutex_);
            ++polls_;
        }
        changed_.notify_all();
        return ForwardingReader::poll(max_records, timeout);
    }

    // Until `polls` have started or `done` is set; the deadline only guards
    // against a hang. Returns the polls started.
    int wait_for(int polls, const std::atomic<bool>& done) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, 60s, [&] { return polls_ >= polls || done.load(); });
        return polls_;
    }
    void finished() {
        std::lock_guard lock(mutex_);
        changed_.notify_all();
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    int polls_ = 0;
};

// A stream whose rows nobody waits for (the access stream) gathers fewer,
// larger batches: once a poll brings records, the round polls on for more
// until a batch's worth is in hand or `gather` has passed, and applies
// them together.
TEST_F(ProjectorTest, ARoundThatGathersPollsOnUntilABatchIsInHand) {
    const auto tenant = TenantId::generate();
    const auto renamed = [&](std::int64_t version) {
        return envelope("TenantUpdated", "tenant", tenant.uuid(), tenant, version,
                        {{"changes",
                          {{"name",
                            {{"old", "T" + std::to_string(version - 1)},
                             {"new", "T" + std::to_string(version)}}}}}});
    };
    append(envelope("TenantCreated", "tenant", tenant.uuid(), tenant, 1,
                    {{"name", "T1"}, {"slug", "gathered"}}));
    // Longer than any test: only a full batch ends this round's gathering.
    Projector p(ProjectorOptions{
        .database_url = url_, .topic = "event_log", .batch_size = 3, .gather = 1h});
    PollSignallingReader reader(reader_of(p));
    std::atomic<bool> done{false};
    Result<std::size_t> handled = std::size_t{0};
    std::thread round([&] {
        handled = p.run_once(reader, 50ms);
        done = true;
        reader.finished();
    });
    // The first poll brought the tenant; the second is under way.
    const int polls = reader.wait_for(2, done);
    EXPECT_GE(polls, 2) << "the round applied what one poll brought";
    EXPECT_FALSE(done.load());
    EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE slug = 'gathered'"), 0)
        << "applied before the gathering ended";
    append(renamed(2));
    append(renamed(3));
    round.join();
    ASSERT_TRUE(handled.ok()) << handled.error().detail;
    EXPECT_EQ(*handled, 3u) << "the three events in one round";
    EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE slug = 'gathered' AND name = 'T3'"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM audit_logs"), 3);

    // With less than a batch in hand, the gathering ends when `gather` has passed.
    Projector brief(ProjectorOptions{
        .database_url = url_, .topic = "event_log", .batch_size = 100, .gather = 20ms});
    auto brief_reader = reader_of(brief, "");
    append(renamed(4));
    drain(brief, *brief_reader);
    EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE slug = 'gathered' AND name = 'T4'"), 1);
}

// A poll that fails while a round gathers ends the gathering: what the
// round holds is applied, and the round reports the failure, as a failed
// poll does, so the projector is not healthy and backs off.
TEST_F(ProjectorTest, APollThatFailsWhileGatheringLeavesWhatWasInHandAppliedAndIsReported) {
    class FailsAfterFirstPoll final : public testing::ForwardingReader {
      public:
        using ForwardingReader::ForwardingReader;
        Result<std::vector<eventlog::LogRecord>> poll(std::size_t max_records,
                                                      std::chrono::milliseconds timeout) override {
            if (polled_++ > 0)
                return Error::make(ErrorKind::unavailable, "log-unavailable", "the log went away");
            return ForwardingReader::poll(max_records, timeout);
        }

      private:
        int polled_ = 0;
    };
    const auto tenant = TenantId::generate();
    append(envelope("TenantCreated", "tenant", tenant.uuid(), tenant, 1,
                    {{"name", "T"}, {"slug", "in-hand"}}));
    Projector p(ProjectorOptions{
        .database_url = url_, .topic = "event_log", .batch_size = 100, .gather = 1h});
    FailsAfterFirstPoll reader(reader_of(p));
    const auto round = p.run_once(reader, 10s);
    ASSERT_FALSE(round.ok()) << "the failure was swallowed";
    EXPECT_EQ(round.error().detail, "the log went away");
    EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE slug = 'in-hand'"), 1);
}

TEST_F(ProjectorTest, ParksUnreadableEventsAndGoesOn) {
    const auto tenant = TenantId::generate();
    append_raw(tenant.to_string(), "{not json");
    append(envelope("TenantRenamedInTheFuture", "tenant", tenant.uuid(), tenant, 1, {}));
    append(envelope("TenantCreated", "tenant", tenant.uuid(), tenant, 1,
                    {{"name", "T"}, {"slug", "t"}}));
    auto p = projector();
    auto reader = reader_of(*p);
    drain(*p, *reader);
    EXPECT_EQ(count("SELECT count(*) FROM dead_letters"), 2);
    EXPECT_EQ(count("SELECT count(*) FROM dead_letters WHERE event_type = "
                    "'TenantRenamedInTheFuture' AND reason LIKE '%unknown event type%'"),
              1);
    EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE slug = 't'"), 1);
}

TEST_F(ProjectorTest, ReplayingABatchAfterARestartDoublesNothing) {
    const auto tenant = TenantId::generate();
    append(envelope("TenantCreated", "tenant", tenant.uuid(), tenant, 1,
                    {{"name", "T"}, {"slug", "t"}}));
    {
        auto p = projector();
        auto reader = reader_of(*p);
        drain(*p, *reader);
    }
    // A new projector whose reader starts at 0 (as if the checkpoint were
    // lost in flight) must skip what the stored checkpoint covers.
    auto p = projector();
    auto reader = eventlog::open_reader(config_, {});
    drain(*p, *reader);
    EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE slug = 't'"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM audit_logs WHERE action = 'TenantCreated'"), 1);
}

// A projector keeps the chains' heads its batches left, so that a batch
// reads none from the table. Another projector that applied the partition
// meanwhile (a rebalance) moves them on: the stale head's link must not
// fork the chain, nor be parked, and the events apply all the same.
TEST_F(ProjectorTest, AChainExtendedByAnotherProjectorMeanwhileStaysOneChain) {
    const auto tenant = TenantId::generate();
    append(envelope("TenantCreated", "tenant", tenant.uuid(), tenant, 1,
                    {{"name", "T"}, {"slug", "t"}}));
    auto first = projector();
    auto first_reader = reader_of(*first, "");
    drain(*first, *first_reader);

    const auto rename = [&](std::int64_t version) {
        const auto from = "T" + std::to_string(version - 1);
        const auto to = "T" + std::to_string(version);
        append(envelope("TenantUpdated", "tenant", tenant.uuid(), tenant, version,
                        {{"changes", {{"name", {{"old", from}, {"new", to}}}}}}));
    };
    rename(2);
    {
        auto second = projector();
        auto second_reader = reader_of(*second, "");
        drain(*second, *second_reader);
    }
    rename(3);
    drain(*first, *first_reader);

    EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE name = 'T3'"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM dead_letters"), 0);
    EXPECT_EQ(count("SELECT max(seq) FROM audit_chain WHERE tenant_id = '" + tenant.to_string() +
                    "' AND stream = 'changes'"),
              3);
    pqxx::connection database(url_);
    const auto chains = audit::verify(database, {});
    ASSERT_TRUE(chains.ok()) << chains.error().detail;
    EXPECT_TRUE(chains->intact()) << audit::to_text(*chains);
    EXPECT_EQ(chains->links, 3u);
}

// Kafka's transactional appends leave an offset to each commit marker, which
// a reader steps over: the records of a partition come with gaps, and none
// of them may stall the partition.
TEST_F(ProjectorTest, OffsetsTakenByNoRecordAreSteppedOver) {
    const auto tenant = TenantId::generate();
    const auto key = tenant.to_string();
    const int partition = eventlog::partition_for(key, kPartitions);
    const auto renamed = [](const char* from, const char* to) {
        return boost::json::object{{"changes", {{"name", {{"old", from}, {"new", to}}}}}};
    };
    const auto record = [&](std::int64_t offset, const events::Envelope& e) {
        return eventlog::LogRecord{partition, offset, key, events::serialize(e), {}};
    };
    auto p = projector();
    const auto result = p->apply_batch(
        partition, {record(0, envelope("TenantCreated", "tenant", tenant.uuid(), tenant, 1,
                                       {{"name", "T"}, {"slug", "gaps"}})),
                    record(2, envelope("TenantUpdated", "tenant", tenant.uuid(), tenant, 2,
                                       renamed("T", "After a marker"))),
                    record(4, envelope("TenantUpdated", "tenant", tenant.uuid(), tenant, 3,
                                       renamed("After a marker", "After another")))});
    EXPECT_EQ(result.applied, 3u);
    EXPECT_EQ(result.next_offset, 5);
    EXPECT_EQ(p->checkpoint(partition), 5);
    EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE slug = 'gaps' AND name = 'After another'"),
              1);
    EXPECT_EQ(count("SELECT count(*) FROM audit_logs WHERE entity_id = '" + key + "'"), 3);
}

// A batch is applied with set-based statements; when one of them fails, the
// batch is applied again event by event, so that the failing event alone is
// parked (a value its column cannot hold) or waited for (a user another
// partition has not projected yet), and the events before it commit.
TEST_F(ProjectorTest, AFailingEventInABatchIsIsolatedAndTheOthersCommit) {
    const auto first = TenantId::generate();
    const auto second = TenantId::generate();
    const auto bad = TenantId::generate();
    const auto user = UserId::generate();
    const int partition = 0;
    std::int64_t offset = 0;
    const auto record = [&](const events::Envelope& e) {
        return eventlog::LogRecord{
            partition, offset++, e.tenant_id.to_string(), events::serialize(e), {}};
    };
    const auto renamed = [](const char* from, const char* to) {
        return boost::json::object{{"changes", {{"name", {{"old", from}, {"new", to}}}}}};
    };
    std::vector<eventlog::LogRecord> batch{
        record(envelope("TenantCreated", "tenant", first.uuid(), first, 1,
                        {{"name", "First"}, {"slug", "first"}})),
        record(envelope("TenantUpdated", "tenant", first.uuid(), first, 2,
                        renamed("First", "First renamed"))),
        // VARCHAR(7): PostgreSQL refuses it (22001), whichever statement carries it.
        record(envelope("TenantCreated", "tenant", bad.uuid(), bad, 1,
                        {{"name", "Bad"}, {"slug", "bad"}, {"primary_color", "#1234567890"}})),
        record(envelope("TenantCreated", "tenant", second.uuid(), second, 1,
                        {{"name", "Second"}, {"slug", "second"}})),
        record(envelope("MembershipGranted", "membership", Uuid::random_v4(), second, 1,
                        {{"user_id", user.to_string()}, {"role", "carer"}, {"is_primary", true}})),
        record(envelope("TenantUpdated", "tenant", second.uuid(), second, 2,
                        renamed("Second", "Second renamed"))),
    };
    auto p = projector();
    const auto result = p->apply_batch(partition, batch);
    EXPECT_TRUE(result.split);
    EXPECT_EQ(result.applied, 3u);
    EXPECT_EQ(result.dead_lettered, 1u);
    EXPECT_TRUE(result.waiting_for_reference);
    EXPECT_EQ(result.next_offset, 4) << "the partition stops at the membership";
    EXPECT_EQ(p->checkpoint(partition), 4);
    EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE slug = 'first' AND name = 'First renamed'"),
              1);
    EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE slug = 'second' AND name = 'Second'"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE slug = 'bad'"), 0);
    EXPECT_EQ(count("SELECT count(*) FROM dead_letters WHERE \"offset\" = 2 AND reason LIKE "
                    "'22001:%'"),
              1);
    EXPECT_EQ(count("SELECT count(*) FROM audit_logs"), 3) << "one per applied event, no more";

    // Delivered again while the user is still missing, the waiting event is
    // tried alone, not the whole batch again.
    const auto still = p->apply_batch(partition, {batch.begin() + 4, batch.end()});
    EXPECT_TRUE(still.waiting_for_reference);
    EXPECT_FALSE(still.split);
    EXPECT_EQ(still.applied, 0u);
    EXPECT_EQ(still.next_offset, 4);

    // The user arrives from its partition: the rest of the batch, delivered
    // again from the checkpoint, now goes through.
    const auto registered = p->apply_batch(
        1, {{1,
             0,
             user.to_string(),
             events::serialize(envelope("UserRegistered", "user", user.uuid(), kPlatformTenant, 1,
                                        {{"email", "member@example.org"}})),
             {}}});
    EXPECT_EQ(registered.applied, 1u);
    const auto rest = p->apply_batch(partition, {batch.begin() + 4, batch.end()});
    EXPECT_FALSE(rest.split);
    EXPECT_EQ(rest.applied, 2u);
    EXPECT_EQ(rest.next_offset, 6);
    EXPECT_EQ(count("SELECT count(*) FROM user_tenants WHERE role = 'carer'"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE name = 'Second renamed'"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM audit_logs"), 6);
}

// The real binary, SIGKILLed while it has events to apply, then restarted:
// in the end every event is applied exactly once.
//
// Nothing here depends on the machine's speed:
//  - each round waits for progress (the audit-row count, committed with the
//    checkpoint in every batch, passing a threshold that rises per round);
//  - the projector is then frozen (SIGSTOP), so the count read is exactly
//    what it had committed when the SIGKILL lands;
//  - every partition but the first ends with a membership whose user is not
//    in the log yet. The projector waits for such a reference instead of
//    dropping it, so work always remains, however fast it runs. The users
//    are appended only after the last kill, to the first partition, where
//    nothing waits ahead of them.
TEST_F(ProjectorTest, KilledAtAnyMomentItLosesAndDoublesNothing) {
    constexpr int kTenants = 1200;
    constexpr long kTenantEvents = 2 * kTenants;
    constexpr int kWaiting = kPartitions - 1;  // partitions that end waiting for a user
    constexpr long kEvents = kTenantEvents + 2 * kWaiting;  // + a membership and a user each
    constexpr int kRounds = 6;
    std::vector<UserId> missing_users;
    {
        std::map<int, std::vector<eventlog::OutgoingRecord>> backlog;
        std::map<int, TenantId> tenant_of_partition;
        for (int i = 0; i < kTenants; ++i) {
            const auto tenant = TenantId::generate();
            const auto slug = "tenant-" + std::to_string(i);
            const auto key = tenant.to_string();
            const int partition = eventlog::partition_for(key, kPartitions);
            tenant_of_partition.emplace(partition, tenant);
            auto& records = backlog[partition];
            records.push_back(
                {key,
                 events::serialize(envelope("TenantCreated", "tenant", tenant.uuid(), tenant, 1,
                                            {{"name", slug}, {"slug", slug}})),
                 {}});
            records.push_back(
                {key,
                 events::serialize(envelope(
                     "TenantUpdated", "tenant", tenant.uuid(), tenant, 2,
                     {{"changes", {{"name", {{"old", slug}, {"new", slug + "-renamed"}}}}}})),
                 {}});
        }
        ASSERT_EQ(tenant_of_partition.size(), static_cast<std::size_t>(kPartitions));
        for (const auto& [partition, tenant] : tenant_of_partition) {
            if (partition == 0) continue;
            auto user = UserId::generate();
            while (eventlog::partition_for(user.to_string(), kPartitions) != 0) {
                user = UserId::generate();
            }
            missing_users.push_back(user);
            backlog[partition].push_back(
                {tenant.to_string(),
                 events::serialize(envelope("MembershipGranted", "membership", Uuid::random_v4(),
                                            tenant, 1,
                                            {{"user_id", missing_users.back().to_string()},
                                             {"role", "carer"},
                                             {"is_primary", false}})),
                 {}});
        }
        for (const auto& [partition, records] : backlog) {
            ASSERT_TRUE(writer_->append(partition, records).ok());
        }
    }
    const std::map<std::string, std::string> env{{"CC_DATABASE_URL", url_},
                                                 {"CC_LOG_PARTITIONS", std::to_string(kPartitions)},
                                                 {"CC_HTTP_PORT", "0"},
                                                 {"CC_PROJECTOR_BATCH", "7"},
                                                 {"CC_LOG_LEVEL", "warn"}};
    pqxx::connection watcher(url_);
    const auto applied = [&] {
        pqxx::nontransaction tx(watcher);
        return tx.exec("SELECT count(*) FROM audit_logs")[0][0].as<long>();
    };
    std::mt19937 random(42);
    std::vector<long> killed_at;
    std::vector<long> first_progress_ms;  // start of the process to its first commit
    for (int round = 0; round < kRounds; ++round) {
        // Thresholds rise through the first 70% of the tenant events, at a
        // different point of a batch each round.
        const long threshold = 100 + round * 250 + static_cast<long>(random() % 60);
        const auto started = std::chrono::steady_clock::now();
        testing::Process process(testing::binary("projector/projector"), env,
                                 "/tmp/cc-projector-kill.log");
        const long before = applied();
        ASSERT_TRUE(testing::eventually([&] { return applied() > before; }));
        first_progress_ms.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - started)
                                        .count());
        ASSERT_TRUE(testing::eventually([&] { return applied() >= threshold; }))
            << "round " << round << ": the projector never reached " << threshold << " events";
        process.freeze();
        killed_at.push_back(applied());
        process.kill_hard();
        EXPECT_LT(killed_at.back(), kTenantEvents + kWaiting)
            << "round " << round << ": a membership whose user is missing was applied";
    }
    std::string kills;
    for (std::size_t i = 0; i < killed_at.size(); ++i) {
        kills += std::to_string(killed_at[i]) + "/" + std::to_string(kTenantEvents) +
                 " (first commit " + std::to_string(first_progress_ms[i]) + " ms after start) ";
    }
    RecordProperty("killed_at", kills);

    // The users the memberships wait for arrive; a restarted projector ends the work.
    for (const auto& user : missing_users) {
        append(envelope("UserRegistered", "user", user.uuid(), kPlatformTenant, 1,
                        {{"email", user.to_string() + "@example.org"}}));
    }
    auto final_env = env;
    const int port = testing::free_port();
    final_env["CC_HTTP_PORT"] = std::to_string(port);
    testing::Process process(testing::binary("projector/projector"), final_env,
                             "/tmp/cc-projector-kill.log");
    ASSERT_TRUE(testing::wait_until_ready(port, "/healthz", 30000));
    const auto caught_up = [&] {
        pqxx::nontransaction tx(watcher);
        return tx.exec("SELECT coalesce(sum(next_offset), 0) FROM projection_checkpoints")[0][0]
                   .as<long>() == kEvents;
    };
    ASSERT_TRUE(testing::eventually(caught_up))
        << "the restarted projector did not catch up: "
        << count("SELECT coalesce(sum(next_offset), 0) FROM projection_checkpoints") << " of "
        << kEvents << " applied, " << count("SELECT count(*) FROM dead_letters") << " dead letters";
    EXPECT_EQ(process.terminate(), 0) << "SIGTERM stops it cleanly";
    EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE name LIKE '%-renamed'"), kTenants);
    EXPECT_EQ(count("SELECT count(*) FROM user_tenants"), kWaiting);
    EXPECT_EQ(count("SELECT count(*) FROM audit_logs"), kEvents);
    EXPECT_EQ(count("SELECT count(DISTINCT id) FROM audit_logs"), kEvents);
    EXPECT_EQ(count("SELECT count(*) FROM dead_letters"), 0);
    // Every row chained once, in order, across the kills.
    const auto chains = audit::verify(watcher, {});
    ASSERT_TRUE(chains.ok()) << chains.error().detail;
    EXPECT_TRUE(chains->intact()) << audit::to_text(*chains);
    EXPECT_EQ(static_cast<long>(chains->links), kEvents);
}

}  // namespace
}  // namespace cc::projector
