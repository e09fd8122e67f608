// Write-model snapshots on disk: written atomically (a process killed while
// writing one leaves the one before it usable), and the newest usable one is
// loaded, passing over a damaged one or one beyond the log's ends.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <thread>

#include "bench/synthetic_log.hpp"
#include "command-service/command_bus.hpp"
#include "command-service/fold.hpp"
#include "command-service/identity/identity.hpp"
#include "command-service/snapshot.hpp"
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

// The snapshots the bus writes every `every` events, while it takes
// commands, hold the log's own fold up to their position: what a start from
// one of them rebuilds is what a start from the whole log would.
TEST(PeriodicSnapshot, IsTheFoldOfTheLogUpToItsPosition) {
    eventlog::LogConfig log;
    log.postgres = {testing::postgres().create_database("periodic_snapshot"), 8};
    char pattern[] = "/tmp/cc-periodic-snapshot-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    snapshot::Config config;
    config.dir = pattern;
    config.log = snapshot::log_identity("periodic snapshot test");
    config.every = 5;
    constexpr int kCommands = 12;
    std::vector<std::int64_t> ends;
    {
        CommandBus bus(eventlog::open_writer(log), eventlog::open_reader(log, {}),
                       std::chrono::milliseconds(30'000), config);
        ASSERT_TRUE(bus.catch_up().ok());
        RequestContext by_server;
        by_server.by_server = true;
        for (int i = 0; i < kCommands; ++i) {
            const auto command = identity::register_user(
                UserId::generate(),
                json::Body{{{"email", "user" + std::to_string(i) + "@example.org"},
                            {"name", "User " + std::to_string(i)}},
                           {}});
            const auto outcome = bus.execute(command, by_server);
            ASSERT_TRUE(outcome.ok()) << outcome.error().detail;
        }
        auto reader = eventlog::open_reader(log, {});
        auto read_ends = reader->end_offsets();
        ASSERT_TRUE(read_ends.ok());
        ends = *read_ends;
    }  // the bus's snapshot writer has finished
    const auto newest = snapshot::load_newest(config, ends);
    ASSERT_TRUE(newest.has_value()) << "no periodic snapshot in " << config.dir;
    const auto events =
        std::accumulate(newest->next_offsets.begin(), newest->next_offsets.end(), std::int64_t{0});
    EXPECT_GE(events, 5) << "one was due after every 5 events";

    // The log folded from the start up to the snapshot's position.
    WriteModel model;
    LogFolder folder(model);
    std::vector<std::uint64_t> last(newest->next_offsets.size(), 0);
    auto reader = eventlog::open_reader(log, {});
    std::vector<std::int64_t> folded(newest->next_offsets.size(), 0);
    for (int polls = 0; folded != newest->next_offsets; ++polls) {
        ASSERT_LT(polls, 1000) << "the log ends before the snapshot's position";
        auto records = reader->poll(1000, std::chrono::milliseconds(200));
        ASSERT_TRUE(records.ok());
        for (const auto& record : *records) {
            const auto p = static_cast<std::size_t>(record.partition);
            if (record.offset >= newest->next_offsets[p]) continue;
            ASSERT_TRUE(folder.fold(record).ok());
            folded[p] = record.offset + 1;
            last[p] = snapshot::record_hash(record.value);
        }
    }
    EXPECT_EQ(
        snapshot::encode(*newest->model, newest->next_offsets, config.log, newest->last_records),
        snapshot::encode(model, newest->next_offsets, config.log, last));
    std::filesystem::remove_all(config.dir);
}

}  // namespace
}  // namespace cc::command
