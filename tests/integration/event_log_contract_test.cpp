// One contract, two adapters: every test runs against the PostgreSQL log
// and against the Kafka adapter talking to librdkafka's mock cluster.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "platform/eventlog/factory.hpp"
#include "platform/eventlog/postgres_log_reads.hpp"
#include "tests/support/postgres_server.hpp"

namespace cc::eventlog {
namespace {

using namespace std::chrono_literals;
constexpr int kPartitions = 4;

class EventLogContract : public ::testing::TestWithParam<Backend> {
  protected:
    void SetUp() override {
        config_.backend = GetParam();
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = std::string("log_") + test->name();
        for (auto& c : name)
            c = std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c))
                                                            : '_';
        config_.postgres.conninfo = testing::postgres().create_database(name.substr(0, 60));
        config_.postgres.partitions = kPartitions;
        if (GetParam() == Backend::kafka) {
            cluster_ = std::make_unique<KafkaMockCluster>(1, "contract", kPartitions);
            config_.kafka.bootstrap_servers = cluster_->bootstrap_servers();
            config_.kafka.topic = "contract";
            config_.kafka.transactional_id = "contract-writer";
        }
    }

    std::vector<OutgoingRecord> records(const std::string& key, int count, int first = 0) {
        std::vector<OutgoingRecord> out;
        for (int i = first; i < first + count; ++i) {
            out.push_back(
                {key, "value-" + std::to_string(i), {{"event_type", "T" + std::to_string(i)}}});
        }
        return out;
    }

    // Polls until `count` records arrived (or a generous deadline passed).
    std::vector<LogRecord> read(LogReader& reader, std::size_t count) {
        std::vector<LogRecord> out;
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
            auto batch = reader.poll(100, 200ms);
            EXPECT_TRUE(batch.ok()) << (batch.ok() ? "" : batch.error().detail);
            if (!batch.ok()) break;
            for (auto& r : *batch) out.push_back(std::move(r));
        }
        return out;
    }

    LogConfig config_;
    std::unique_ptr<KafkaMockCluster> cluster_;
};

TEST_P(EventLogContract, AppendsArePartitionOrderedWithGaplessOffsets) {
    auto writer = open_writer(config_);
    ASSERT_EQ(writer->partition_count(), kPartitions);
    auto first = writer->append(1, records("k1", 3, 0));
    ASSERT_TRUE(first.ok()) << first.error().detail;
    EXPECT_EQ(*first, (std::vector<std::int64_t>{0, 1, 2}));
    auto second = writer->append(1, records("k1", 2, 3));
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(*second, (std::vector<std::int64_t>{3, 4}));
    ASSERT_TRUE(writer->append(2, records("k2", 2, 100)).ok());

    auto reader = open_reader(config_, ReaderOptions{});
    const auto got = read(*reader, 7);
    ASSERT_EQ(got.size(), 7u);
    std::vector<std::string> partition1;
    for (const auto& r : got) {
        if (r.partition == 1) {
            EXPECT_EQ(r.offset, static_cast<std::int64_t>(partition1.size()));
            EXPECT_EQ(r.key, "k1");
            partition1.push_back(r.value);
        }
    }
    EXPECT_EQ(partition1,
              (std::vector<std::string>{"value-0", "value-1", "value-2", "value-3", "value-4"}));
    const auto header = std::find_if(got.begin(), got.end(),
                                     [](const LogRecord& r) { return r.value == "value-100"; });
    ASSERT_NE(header, got.end());
    ASSERT_EQ(header->headers.size(), 1u);
    EXPECT_EQ(header->headers[0], (Header{"event_type", "T100"}));

    auto ends = reader->end_offsets();
    ASSERT_TRUE(ends.ok());
    EXPECT_EQ((*ends)[1], 5);
    EXPECT_EQ((*ends)[2], 2);
    EXPECT_EQ((*ends)[0], 0);
}

// An append of thousands (an import's batch) is one append like any other:
// every record, in order, at consecutive offsets, with its headers.
TEST_P(EventLogContract, ALargeAppendKeepsEveryRecordInOrder) {
    constexpr int kCount = 2500;
    auto writer = open_writer(config_);
    ASSERT_TRUE(writer->append(2, records("k", 3)).ok());
    const auto appended = writer->append(2, records("k", kCount, 3));
    ASSERT_TRUE(appended.ok()) << appended.error().detail;
    ASSERT_EQ(appended->size(), static_cast<std::size_t>(kCount));
    EXPECT_EQ(appended->front(), 3);
    EXPECT_EQ(appended->back(), kCount + 2);
    auto reader = open_reader(config_, ReaderOptions{});
    const auto got = read(*reader, kCount + 3);
    ASSERT_EQ(got.size(), static_cast<std::size_t>(kCount + 3));
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].offset, static_cast<std::int64_t>(i));
        EXPECT_EQ(got[i].value, "value-" + std::to_string(i));
        ASSERT_EQ(got[i].headers.size(), 1u);
        EXPECT_EQ(got[i].headers[0].value, "T" + std::to_string(i));
    }
}

// Group commit appends a batch of commands spanning partitions as one unit.
TEST_P(EventLogContract, AnAppendAcrossPartitionsIsOneUnitInEachPartitionsOrder) {
    auto writer = open_writer(config_);
    ASSERT_TRUE(writer->append(1, records("k", 2)).ok());
    const auto first = records("k", 2, 2);
    const auto other = records("k", 1, 4);
    const auto again = records("k", 1, 5);
    const std::vector<PartitionRecords> parts{{1, first}, {3, other}, {1, again}};
    const auto appended = writer->append_all(parts);
    ASSERT_TRUE(appended.ok()) << appended.error().detail;
    EXPECT_EQ(*appended, (std::vector<std::vector<std::int64_t>>{{2, 3}, {0}, {4}}));
    auto reader = open_reader(config_, ReaderOptions{});
    const auto got = read(*reader, 6);
    ASSERT_EQ(got.size(), 6u);
    std::vector<std::string> partition_one;
    for (const auto& record : got) {
        if (record.partition == 1) partition_one.push_back(record.value);
        if (record.partition == 3) {
            EXPECT_EQ(record.value, "value-4");
        }
    }
    EXPECT_EQ(partition_one,
              (std::vector<std::string>{"value-0", "value-1", "value-2", "value-3", "value-5"}));
}

TEST_P(EventLogContract, AnAppendAcrossPartitionsThatFailsLeavesNothingInAny) {
    if (GetParam() == Backend::kafka) {
        GTEST_SKIP() << "the mock cluster refuses no single record of a transaction";
    }
    auto writer = open_writer(config_);
    auto refused = records("k", 1, 1);
    refused[0].value = "value-\xff";  // not UTF-8: the database refuses it
    const auto good = records("k", 1);
    const std::vector<PartitionRecords> parts{{0, good}, {2, refused}};
    ASSERT_FALSE(writer->append_all(parts).ok());
    auto reader = open_reader(config_, ReaderOptions{});
    const auto ends = reader->end_offsets();
    ASSERT_TRUE(ends.ok());
    EXPECT_EQ(*ends, std::vector<std::int64_t>(kPartitions, 0));
    const auto next = writer->append(0, good);
    ASSERT_TRUE(next.ok()) << next.error().detail;
    EXPECT_EQ(next->front(), 0);
}

TEST_P(EventLogContract, AcknowledgedAppendIsReadableAfterTheWriterIsGone) {
    {
        auto writer = open_writer(config_);
        ASSERT_TRUE(writer->append(0, records("k", 1)).ok());
    }  // writer destroyed without any further call: the ack alone must be enough
    auto reader = open_reader(config_, ReaderOptions{});
    const auto got = read(*reader, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].value, "value-0");
}

TEST_P(EventLogContract, ReaderResumesFromAStoredPositionAndCanSeekBack) {
    auto writer = open_writer(config_);
    ASSERT_TRUE(writer->append(3, records("k", 6)).ok());
    ReaderOptions options;
    options.start_offset = [](int partition) { return partition == 3 ? std::int64_t{4} : 0; };
    auto reader = open_reader(config_, options);
    auto got = read(*reader, 2);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].offset, 4);
    EXPECT_EQ(got[1].offset, 5);

    reader->seek(3, 1);
    got = read(*reader, 5);
    ASSERT_EQ(got.size(), 5u);
    EXPECT_EQ(got.front().offset, 1);
    EXPECT_EQ(got.back().offset, 5);
}

TEST_P(EventLogContract, TailingReaderSeesNewAppendsPromptly) {
    auto writer = open_writer(config_);
    auto reader = open_reader(config_, ReaderOptions{});
    auto nothing = reader->poll(10, 100ms);
    ASSERT_TRUE(nothing.ok());
    EXPECT_TRUE(nothing->empty());
    ASSERT_TRUE(writer->append(2, records("k", 1)).ok());
    const auto got = read(*reader, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].partition, 2);
}

TEST_P(EventLogContract, StaleWriterIsFenced) {
    if (GetParam() == Backend::kafka) {
        GTEST_SKIP()
            << "librdkafka's mock cluster accepts transactions but does not fence an older "
               "producer of the same transactional.id (README: Kafka mock cluster limits); "
               "real Kafka does, via init_transactions";
    }
    auto old_writer = open_writer(config_);
    ASSERT_TRUE(old_writer->append(0, records("k", 1)).ok());
    auto new_writer = open_writer(config_);
    auto refused = old_writer->append(0, records("k", 1, 1));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().type, "writer-fenced");
    ASSERT_TRUE(new_writer->append(0, records("k", 1, 2)).ok());

    auto reader = open_reader(config_, ReaderOptions{});
    const auto got = read(*reader, 2);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[1].value, "value-2") << "the fenced append left no trace";
}

TEST_P(EventLogContract, GroupMembersShareThePartitionsAndTakeOverFromACrashedOne) {
    if (GetParam() == Backend::kafka) {
        GTEST_SKIP() << "consumer-group rebalancing on the mock cluster takes a session timeout "
                        "per step; the group path is covered by the projector test on Kafka";
    }
    auto writer = open_writer(config_);
    for (int p = 0; p < kPartitions; ++p) ASSERT_TRUE(writer->append(p, records("k", 1)).ok());
    ReaderOptions options;
    options.group = "g";
    auto first = open_reader(config_, options);
    EXPECT_EQ(read(*first, kPartitions).size(), static_cast<std::size_t>(kPartitions));
    auto second = open_reader(config_, options);
    auto none = second->poll(10, 300ms);
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->empty()) << "every partition is owned by the first member";
    first.reset();  // its session ends, and with it its partition locks
    EXPECT_EQ(read(*second, kPartitions).size(), static_cast<std::size_t>(kPartitions));
    EXPECT_EQ(second->owned_partitions().size(), static_cast<std::size_t>(kPartitions));
}

TEST_P(EventLogContract, ConcurrentAppendsToOnePartitionGetDistinctOrderedOffsets) {
    auto writer = open_writer(config_);
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 10; ++i) {
                if (!writer->append(1, records("k", 1, t * 100 + i)).ok()) ++failures;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
    auto reader = open_reader(config_, ReaderOptions{});
    const auto got = read(*reader, 40);
    ASSERT_EQ(got.size(), 40u);
    for (std::size_t i = 0; i < got.size(); ++i)
        EXPECT_EQ(got[i].offset, static_cast<std::int64_t>(i));
}

// The access stream (LogConfig::access_stream): its own topic or tables, and
// no single writer. Writers opened later fence none opened before, and
// concurrent appends across partitions all land, gapless, in each
// partition's order; the domain log sees none of them.
TEST_P(EventLogContract, TheAccessStreamTakesManyWritersAtOnceApartFromTheLog) {
    const auto access = config_.access_stream();
    EXPECT_NE(access.topic(), config_.topic());
    auto domain = open_writer(config_);
    std::vector<std::unique_ptr<LogWriter>> writers;
    for (int w = 0; w < 3; ++w) writers.push_back(open_writer(access));
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int w = 0; w < 3; ++w) {
        threads.emplace_back([&, w] {
            for (int i = 0; i < 10; ++i) {
                const auto first = records("a", 1, w * 100 + i);
                const auto second = records("b", 1, w * 100 + i);
                const PartitionRecords parts[] = {{0, first}, {3, second}};
                if (!writers[static_cast<std::size_t>(w)]->append_all(parts).ok()) ++failures;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0) << "no access writer fences another";

    auto reader = open_reader(access, ReaderOptions{});
    const auto got = read(*reader, 60);
    ASSERT_EQ(got.size(), 60u);
    std::map<int, std::int64_t> next;
    for (const auto& record : got) EXPECT_EQ(record.offset, next[record.partition]++);
    EXPECT_EQ(next[0], 30);
    EXPECT_EQ(next[3], 30);
    auto domain_ends = open_reader(config_, ReaderOptions{})->end_offsets();
    ASSERT_TRUE(domain_ends.ok());
    for (const auto end : *domain_ends) EXPECT_EQ(end, 0) << "nothing reached the domain log";
}

// PostgreSQL signals every session listening in the database at each
// notifying commit, whatever the channel. The access stream, appended at
// the read rate, therefore notifies no one: its readers find its records
// when their poll's timeout passes. The domain log still wakes its readers.
TEST_P(EventLogContract, TheAccessStreamWakesNoListenerAndTheLogDoes) {
    if (GetParam() == Backend::kafka) GTEST_SKIP() << "LISTEN/NOTIFY is the PostgreSQL log's";
    const auto access = config_.access_stream();
    pqxx::connection listener(config_.postgres.conninfo);
    struct Heard final : pqxx::notification_receiver {
        Heard(pqxx::connection_base& c, const std::string& channel, std::vector<std::string>& out)
            : pqxx::notification_receiver(c, channel), out_(out) {}
        void operator()(const std::string&, int) override { out_.push_back(channel()); }
        std::vector<std::string>& out_;
    };
    std::vector<std::string> heard;
    Heard on_access(listener, access.postgres.table, heard);
    Heard on_log(listener, config_.postgres.table, heard);

    auto access_writer = open_writer(access);
    ASSERT_TRUE(access_writer->append(1, records("a", 2)).ok());
    // Committed after the access append: notices arrive in commit order, so
    // once the log's is heard, any of the access append's would have been.
    ASSERT_TRUE(open_writer(config_)->append(2, records("k", 1)).ok());
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (heard.empty() && std::chrono::steady_clock::now() < deadline) {
        listener.await_notification(1, 0);
    }
    EXPECT_EQ(heard, std::vector<std::string>{config_.postgres.table});

    // The access stream's reader still finds what was appended.
    auto reader = open_reader(access, ReaderOptions{});
    EXPECT_EQ(read(*reader, 2).size(), 2u);
}

// A reader's fetch reads the records it delivers and stops: the log's key
// in order, up to the limit, whatever PostgreSQL's statistics say. On a
// log that was never analysed (as after a bulk load or a restore) the
// planner, left to itself, read every record after the offset of each
// partition and sorted them, for each fetch: a catch-up that slowed as the
// log grew. The statement and the session's settings are the reader's own.
TEST_P(EventLogContract, AFetchReadsTheRecordsItTakesAndNotTheRestOfThePartition) {
    if (GetParam() == Backend::kafka) GTEST_SKIP() << "the PostgreSQL log's plan";
    constexpr int kEach = 5'000;
    constexpr int kTaken = 250;
    {
        pqxx::connection owner(config_.postgres.conninfo);
        pqxx::nontransaction(owner).exec(
            "ALTER TABLE event_log SET (autovacuum_enabled = off)");  // stays unanalysed
    }
    auto writer = open_writer(config_);
    const auto each = records("k", kEach);
    std::vector<PartitionRecords> parts;
    for (int p = 0; p < kPartitions; ++p) parts.push_back({p, each});
    ASSERT_TRUE(writer->append_all(parts).ok());

    pqxx::connection session(config_.postgres.conninfo);
    pqxx::nontransaction tx(session);
    tx.exec(std::string(postgres_reads::kSessionSettings));
    tx.exec("PREPARE log_fetch AS " + postgres_reads::fetch_statement("event_log"));
    // Taken from the middle of each partition: half of it follows.
    const auto middle = std::to_string(kEach / 2);
    const auto explained =
        tx.exec("EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE log_fetch('{0,1,2,3}', '{" + middle + "," +
                middle + "," + middle + "," + middle + "}', " + std::to_string(kTaken) + ")");
    const auto plan = boost::json::parse(explained[0][0].c_str()).as_array().at(0).as_object();
    std::vector<std::pair<std::string, double>> scans;  // node type, rows read per loop
    const std::function<void(const boost::json::object&)> visit =
        [&](const boost::json::object& node) {
            if (const auto* relation = node.if_contains("Relation Name");
                relation && relation->as_string() == "event_log") {
                scans.emplace_back(node.at("Node Type").as_string().c_str(),
                                   node.at("Actual Rows").to_number<double>());
            }
            if (const auto* children = node.if_contains("Plans")) {
                for (const auto& child : children->as_array()) visit(child.as_object());
            }
        };
    visit(plan.at("Plan").as_object());
    ASSERT_FALSE(scans.empty()) << boost::json::serialize(plan);
    for (const auto& [type, rows] : scans) {
        EXPECT_LE(rows, kTaken) << type << " read " << rows << " records of a partition to take "
                                << kTaken;
    }
    EXPECT_EQ(plan.at("Plan").at("Actual Rows").to_number<double>(), kPartitions * kTaken);
}

// A reader never skips records its log deleted before they were read: a
// checkpoint that names an offset the log no longer holds is an error on
// every poll, not a silent jump to the earliest record left (which the
// projector would take for transaction markers, and so lose the rows of
// the records between). The mock cluster keeps about 5 MB a partition and
// drops the oldest beyond that, as a topic with a retention would.
TEST_P(EventLogContract, ARecordTheLogNoLongerHoldsIsReportedOnEveryPollNotSkipped) {
    if (GetParam() == Backend::postgres) GTEST_SKIP() << "the PostgreSQL log deletes nothing";
    constexpr int kRecords = 16;
    const std::string large(400 * 1024, 'x');  // 6.4 MB in all: past what the mock keeps
    auto writer = open_writer(config_);
    for (int i = 0; i < kRecords; ++i) {
        const std::vector<OutgoingRecord> one{{"k", large + std::to_string(i), {}}};
        ASSERT_TRUE(writer->append(0, one).ok());
    }

    auto reader = open_reader(config_, ReaderOptions{});
    std::vector<LogRecord> delivered;
    std::optional<Error> failure;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!failure && std::chrono::steady_clock::now() < deadline) {
        auto batch = reader->poll(100, 200ms);
        if (!batch) {
            failure = batch.error();
            break;
        }
        for (auto& r : *batch) delivered.push_back(std::move(r));
    }
    ASSERT_TRUE(failure.has_value())
        << "the reader delivered " << delivered.size() << " records from offset "
        << (delivered.empty() ? -1 : delivered.front().offset);
    EXPECT_TRUE(delivered.empty());
    EXPECT_EQ(failure->type, "log-records-lost");
    EXPECT_NE(failure->detail.find("partition 0"), std::string::npos) << failure->detail;
    EXPECT_NE(failure->detail.find("offset 0"), std::string::npos) << failure->detail;
    // And again: nothing after the loss comes through a later poll.
    auto again = reader->poll(100, 200ms);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().type, "log-records-lost");

    // A position the log still holds reads as before.
    ReaderOptions from_last;
    from_last.start_offset = [](int p) -> std::int64_t { return p == 0 ? kRecords - 1 : 0; };
    auto last = open_reader(config_, from_last);
    const auto got = read(*last, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got.front().offset, kRecords - 1);
    EXPECT_EQ(got.front().value, large + std::to_string(kRecords - 1));
}

// A position past a partition's end is one the log never reached: it is
// older than whoever kept the position (the projections restored from a
// newer copy than the log). Waiting there, a reader would skip the records
// appended before the position; it fails on every poll instead.
TEST_P(EventLogContract, APositionPastThePartitionsEndIsReportedNotWaitedFor) {
    auto writer = open_writer(config_);
    ASSERT_TRUE(writer->append(1, records("k", 3)).ok());
    ReaderOptions ahead;
    ahead.start_offset = [](int p) -> std::int64_t { return p == 1 ? 10 : 0; };
    auto reader = open_reader(config_, ahead);
    const auto failure = [&]() -> std::optional<Error> {
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (std::chrono::steady_clock::now() < deadline) {
            auto batch = reader->poll(100, 200ms);
            if (!batch) return batch.error();
            EXPECT_TRUE(batch->empty()) << batch->size() << " records delivered";
        }
        return std::nullopt;
    }();
    ASSERT_TRUE(failure.has_value()) << "the reader waited at offset 10 of 3";
    EXPECT_EQ(failure->type, "log-position-missing");
    EXPECT_NE(failure->detail.find("partition 1"), std::string::npos) << failure->detail;
    EXPECT_NE(failure->detail.find("before offset 10"), std::string::npos) << failure->detail;

    // Appends that reach past the position change nothing: offsets 3 to 9
    // would have been skipped.
    ASSERT_TRUE(writer->append(1, records("k", 20, 3)).ok());
    auto again = reader->poll(100, 200ms);
    ASSERT_FALSE(again.ok()) << again->size() << " records delivered";
    EXPECT_EQ(again.error().type, "log-position-missing");
}

INSTANTIATE_TEST_SUITE_P(Adapters, EventLogContract,
                         ::testing::Values(Backend::postgres, Backend::kafka),
                         [](const auto& param_info) {
                             return param_info.param == Backend::postgres ? "postgres" : "kafka";
                         });

}  // namespace
}  // namespace cc::eventlog
