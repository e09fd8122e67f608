// Write-model snapshots on disk: written atomically (a process killed while
// writing one leaves the one before it usable), and the newest usable one is
// loaded, passing over a damaged one or one beyond the log's ends.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <numeric>
#include <thread>

#include "bench/synthetic_log.hpp"
#include "command-service/command_bus.hpp"
#include "command-service/fold.hpp"
#include "command-service/identity/identity.hpp"
#include "command-service/snapshot.hpp"
#include "command-service/snapshot_maker.hpp"
#include "platform/eventlog/factory.hpp"
#include "tests/support/postgres_server.hpp"

namespace cc::command {
namespace {

struct Folded {
    std::string bytes;
    std::vector<std::int64_t> next;
};

// The first `count` records of `log` folded, as a snapshot's bytes.
Folded fold(const std::vector<eventlog::LogRecord>& log, std::size_t count, std::uint64_t id) {
    WriteModel model;
    LogFolder folder(model);
    std::vector<std::int64_t> next(8, 0);
    for (std::size_t i = 0; i < count; ++i) {
        EXPECT_TRUE(folder.fold(log[i]).ok());
        next[static_cast<std::size_t>(log[i].partition)] = log[i].offset + 1;
    }
    return {snapshot::encode(model, next, id), next};
}

class SnapshotFiles : public ::testing::Test {
  protected:
    void SetUp() override {
        char pattern[] = "/tmp/cc-snapshot-test-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        config.dir = pattern;
        config.log = snapshot::log_identity("test log");
        log = bench::synthetic_log(2000);
        earlier = fold(log, 1000, config.log);
        later = fold(log, log.size(), config.log);
    }
    void TearDown() override { std::filesystem::remove_all(config.dir); }
    std::vector<std::filesystem::path> files(std::string_view prefix) const {
        std::vector<std::filesystem::path> out;
        for (const auto& entry : std::filesystem::directory_iterator(config.dir)) {
            if (entry.path().filename().string().starts_with(prefix)) out.push_back(entry.path());
        }
        return out;
    }

    snapshot::Config config;
    std::vector<eventlog::LogRecord> log;
    Folded earlier, later;
};

TEST_F(SnapshotFiles, KillDuringWritingLeavesThePreviousSnapshotUsable) {
    ASSERT_TRUE(snapshot::write(config.dir, earlier.next, earlier.bytes).ok());
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // Killed as soon as part of the new snapshot is on disk.
        (void)snapshot::write(config.dir, later.next, later.bytes, [] { std::raise(SIGKILL); });
        std::_Exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the writer was not killed";
    EXPECT_EQ(files(".tmp-").size(), 1U) << "the killed writer's temporary file";

    const auto loaded = snapshot::load_newest(config, later.next);
    ASSERT_TRUE(loaded.has_value());
    EXPECT_EQ(loaded->next_offsets, earlier.next);
    EXPECT_EQ(snapshot::encode(*loaded->model, loaded->next_offsets, config.log), earlier.bytes);

    // The next write clears what the crash left and becomes the newest.
    ASSERT_TRUE(snapshot::write(config.dir, later.next, later.bytes).ok());
    EXPECT_TRUE(files(".tmp-").empty());
    EXPECT_EQ(snapshot::load_newest(config, later.next)->next_offsets, later.next);
}

TEST_F(SnapshotFiles, ADamagedNewestSnapshotIsPassedOverForTheOneBefore) {
    ASSERT_TRUE(snapshot::write(config.dir, earlier.next, earlier.bytes).ok());
    ASSERT_TRUE(snapshot::write(config.dir, later.next, later.bytes).ok());
    auto all = files("write-model-");
    ASSERT_EQ(all.size(), 2U);
    std::sort(all.begin(), all.end());
    {
        std::fstream newest(all.back(), std::ios::in | std::ios::out | std::ios::binary);
        newest.seekp(static_cast<std::streamoff>(later.bytes.size() / 2));
        newest.put('\x7f');
    }
    const auto loaded = snapshot::load_newest(config, later.next);
    ASSERT_TRUE(loaded.has_value());
    EXPECT_EQ(loaded->next_offsets, earlier.next);
}

TEST_F(SnapshotFiles, OneBeyondTheLogsEndsOrOfAnotherLogIsNotLoaded) {
    ASSERT_TRUE(snapshot::write(config.dir, later.next, later.bytes).ok());
    // A log that ends before the snapshot's position is not the one it was made of.
    EXPECT_FALSE(snapshot::load_newest(config, earlier.next).has_value());
    auto other = config;
    other.log = snapshot::log_identity("another log");
    EXPECT_FALSE(snapshot::load_newest(other, later.next).has_value());
    EXPECT_TRUE(snapshot::load_newest(config, later.next).has_value());
    // Only the two newest are kept.
    ASSERT_TRUE(snapshot::write(config.dir, later.next, later.bytes).ok());
    ASSERT_TRUE(snapshot::write(config.dir, later.next, later.bytes).ok());
    EXPECT_EQ(files("write-model-").size(), 2U);
}

// A snapshot names the record before its position in each partition; a log
// made anew at the same address (a restore) that holds another record there
// is not the snapshot's, even with as many records.
TEST(SnapshotOfALog, IsVerifiedAgainstTheRecordBeforeItsPosition) {
    const auto log = bench::synthetic_log(600);
    const auto append = [&](const std::string& database, std::size_t changed) {
        eventlog::LogConfig config;
        config.postgres = {testing::postgres().create_database(database), 8};
        auto writer = eventlog::open_writer(config);
        for (std::size_t i = 0; i < log.size(); ++i) {
            const std::vector<eventlog::OutgoingRecord> one{
                {log[i].key, i == changed ? log[i].value + " " : log[i].value, {}}};
            EXPECT_TRUE(writer->append(log[i].partition, one).ok());
        }
        return config;
    };
    WriteModel model;
    LogFolder folder(model);
    std::vector<std::int64_t> next(8, 0);
    std::vector<std::uint64_t> last(8, 0);
    for (const auto& record : log) {
        ASSERT_TRUE(folder.fold(record).ok());
        next[static_cast<std::size_t>(record.partition)] = record.offset + 1;
        last[static_cast<std::size_t>(record.partition)] = snapshot::record_hash(record.value);
    }
    const auto loaded = snapshot::decode(snapshot::encode(model, next, 7, last), 7);
    ASSERT_TRUE(loaded.ok());
    const auto verify = [&](const eventlog::LogConfig& config) {
        eventlog::ReaderOptions options;
        options.start_offset = [&](int p) {
            return std::max<std::int64_t>(0, next[static_cast<std::size_t>(p)] - 1);
        };
        auto reader = eventlog::open_reader(config, options);
        return snapshot::verify(*loaded, *reader);
    };
    const auto same = verify(append("snapshot_same_log", log.size()));
    EXPECT_TRUE(same.ok()) << same.error().detail;
    // The last record of the log differs in one byte: the last of its partition.
    const auto other = verify(append("snapshot_other_log", log.size() - 1));
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.error().type, "snapshot-of-another-log");
}

// A bus against a real log (PostgreSQL, or the Kafka mock cluster), with a
// snapshot due every `every` events, and the commands it is given: each
// registers a user (one event).
class PeriodicSnapshot : public ::testing::TestWithParam<eventlog::Backend> {
  protected:
    void SetUp() override {
        if (GetParam() == eventlog::Backend::kafka) {
            cluster = std::make_unique<eventlog::KafkaMockCluster>(1, "periodic", 8);
            log.backend = eventlog::Backend::kafka;
            log.kafka.bootstrap_servers = cluster->bootstrap_servers();
            log.kafka.topic = "periodic";
        } else {
            const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
            std::string name = test->name();
            std::replace(name.begin(), name.end(), '/', '_');
            log.postgres = {testing::postgres().create_database("periodic_" + name), 8};
        }
        char pattern[] = "/tmp/cc-periodic-snapshot-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        config.dir = pattern;
        config.log = snapshot::log_identity("periodic snapshot test");
    }
    void TearDown() override { std::filesystem::remove_all(config.dir); }

    // `mid_round` runs in each round between the fold and the encoding.
    void start(std::int64_t every, std::function<void()> mid_round = {}) {
        config.every = every;
        auto made = std::make_unique<SnapshotMaker>(config, log, std::move(mid_round));
        maker = made.get();
        bus =
            std::make_unique<CommandBus>(eventlog::open_writer(log), eventlog::open_reader(log, {}),
                                         std::chrono::milliseconds(30'000), std::move(made));
        ASSERT_TRUE(bus->catch_up().ok());
    }
    void register_users(int count) {
        RequestContext by_server;
        by_server.by_server = true;
        for (int i = 0; i < count; ++i, ++registered) {
            const auto command = identity::register_user(
                UserId::generate(),
                json::Body{{{"email", "user" + std::to_string(registered) + "@example.org"},
                            {"name", "User " + std::to_string(registered)}},
                           {}});
            const auto outcome = bus->execute(command, by_server);
            ASSERT_TRUE(outcome.ok()) << outcome.error().detail;
        }
    }
    std::vector<std::int64_t> log_ends() const {
        auto ends = eventlog::open_reader(log, {})->end_offsets();
        EXPECT_TRUE(ends.ok());
        return ends.ok() ? *ends : std::vector<std::int64_t>{};
    }
    // The log folded from its start up to `next` (on Kafka, transaction
    // markers take offsets too), by a reader of its own: what a start from
    // the whole log would hold there.
    struct Fold {
        WriteModel model;
        std::vector<std::uint64_t> last_records;
    };
    std::unique_ptr<Fold> fold_of_log(const std::vector<std::int64_t>& next) const {
        auto fold = std::make_unique<Fold>();
        fold->last_records.assign(next.size(), 0);
        LogFolder folder(fold->model);
        auto reader = eventlog::open_reader(log, {});
        const auto reached = [&] {
            const auto positions = reader->positions();
            for (std::size_t p = 0; p < next.size(); ++p) {
                const auto at = positions.find(static_cast<int>(p));
                if ((at == positions.end() ? 0 : at->second) < next[p]) return false;
            }
            return true;
        };
        for (int polls = 0; !reached(); ++polls) {
            if (polls >= 1000) {
                ADD_FAILURE() << "the log ends before the snapshot's position";
                break;
            }
            auto records = reader->poll(1000, std::chrono::milliseconds(200));
            EXPECT_TRUE(records.ok());
            if (!records.ok()) break;
            for (const auto& record : *records) {
                const auto p = static_cast<std::size_t>(record.partition);
                if (record.offset >= next[p]) continue;
                EXPECT_TRUE(folder.fold(record).ok());
                fold->last_records[p] = snapshot::record_hash(record.value);
            }
        }
        return fold;
    }
    static std::int64_t events(const std::vector<std::int64_t>& next) {
        return std::accumulate(next.begin(), next.end(), std::int64_t{0});
    }

    std::unique_ptr<eventlog::KafkaMockCluster> cluster;
    eventlog::LogConfig log;
    snapshot::Config config;
    int registered = 0;
    SnapshotMaker* maker = nullptr;  // owned by the bus
    std::unique_ptr<CommandBus> bus;
};

// The snapshots the bus has made every `every` events, while it takes
// commands, hold the log's own fold up to their position: what a start from
// one of them rebuilds is what a start from the whole log would.
TEST_P(PeriodicSnapshot, IsTheFoldOfTheLogUpToItsPosition) {
    start(5);
    register_users(12);
    ASSERT_TRUE(maker->settled().ok()) << maker->settled().error().detail;
    const auto newest = snapshot::load_newest(config, log_ends());
    ASSERT_TRUE(newest.has_value()) << "no periodic snapshot in " << config.dir;
    EXPECT_GE(events(newest->next_offsets), 10) << "one was due after every 5 events";
    const auto fold = fold_of_log(newest->next_offsets);
    EXPECT_EQ(
        snapshot::encode(*newest->model, newest->next_offsets, config.log, newest->last_records),
        snapshot::encode(fold->model, newest->next_offsets, config.log, fold->last_records));
}

// A snapshot is made off the bus's lock: while one is held between its fold
// and its encoding, commands are still decided, appended and answered (they
// would wait for it, and this test would hang, if it held the lock). The
// next one starts from it and folds only what came after.
TEST_P(PeriodicSnapshot, DecisionsGoOnWhileOneIsMade) {
    std::promise<void> reached;
    std::promise<void> released;
    auto release = released.get_future().share();
    std::atomic<bool> first = true;
    // Opened on every path out of the test, so a failed assertion does not
    // leave the round, and the bus's destructor, waiting for ever.
    struct Opened {
        std::promise<void>& gate;
        bool open = false;
        void operator()() {
            if (!std::exchange(open, true)) gate.set_value();
        }
        ~Opened() { (*this)(); }
    } opened{released};
    start(3, [&] {
        if (!first.exchange(false)) return;
        reached.set_value();
        release.wait();
    });
    register_users(3);
    // The bound only guards against a hang: a round that fails never gets there.
    ASSERT_EQ(reached.get_future().wait_for(std::chrono::minutes(2)), std::future_status::ready)
        << "no round reached the end of its fold";
    const auto held_at = log_ends();
    register_users(4);  // answered while the round is held
    EXPECT_GT(events(log_ends()), events(held_at));
    opened();
    ASSERT_TRUE(maker->settled().ok()) << maker->settled().error().detail;
    const auto ends = log_ends();
    const auto newest = snapshot::load_newest(config, ends);
    ASSERT_TRUE(newest.has_value());
    // The whole log: the round the later commands made due was written too.
    const auto fold = fold_of_log(ends);
    EXPECT_EQ(snapshot::encode(*newest->model, ends, 0, newest->last_records),
              snapshot::encode(fold->model, ends, 0, fold->last_records));
}

INSTANTIATE_TEST_SUITE_P(Logs, PeriodicSnapshot,
                         ::testing::Values(eventlog::Backend::postgres, eventlog::Backend::kafka),
                         [](const auto& backend) {
                             return backend.param == eventlog::Backend::kafka ? "kafka"
                                                                              : "postgres";
                         });

}  // namespace
}  // namespace cc::command
