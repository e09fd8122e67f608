// The fault suite (issue 14 item 10): the real services under a load of
// commands over HTTP while a part fails under them, then what must hold:
// nothing acknowledged is lost or doubled, every event is projected once,
// the projections equal a clean rebuild, every command was answered within
// a bound, a refusal was a 503 problem and never a 500, and the stack
// recovered by itself.
//
// CI runs the reduced form; scripts/faults runs the full one (CC_FAULT_KILLS
// and the other CC_FAULT_* settings below) and writes its figures to the
// README. Each test prints its figures as "[figure] <test> <name>=<value>".
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <utility>

#include "platform/core/uuid.hpp"
#include "tests/faults/consistency.hpp"
#include "tests/faults/load.hpp"
#include "tests/support/backend_test.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/stack.hpp"

namespace cc::faults {
namespace {

using namespace std::chrono_literals;
using eventlog::Backend;

int setting(const char* name, int fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? std::atoi(value) : fallback;
}

long long ms(Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

std::string describe(const std::map<int, std::size_t>& by_status) {
    std::string out;
    for (const auto& [status, count] : by_status) {
        out += (out.empty() ? "" : ",") + std::to_string(status) + ":" + std::to_string(count);
    }
    return out.empty() ? "none" : out;
}

// How long the services wait for the log before they answer 503
// (CC_LOG_TIMEOUT_MS), and the bound every answer must come within: a
// command may wait that long for the decision lock, for a catch-up, and for
// its own append (whose last broker calls get at least a second each), with
// room for a busy 2-core machine.
constexpr auto kLogTimeout = 3000ms;
constexpr auto kAnswerBound = 3 * kLogTimeout + 5000ms;

class Faults : public ::testing::TestWithParam<Backend> {
  protected:
    void SetUp() override {
        testing::stacks().clear();
        testing::stacks()[{GetParam(), testing::BlobBackend::directory}] =
            std::make_unique<testing::Stack>(
                GetParam(), std::map<std::string, std::string>{
                                {"CC_LOG_TIMEOUT_MS", std::to_string(kLogTimeout.count())}});
    }
    void TearDown() override { testing::stacks().clear(); }

    testing::Stack& stack() { return testing::stack_for(GetParam()); }
    // Commands a second per client (0: as fast as they are answered). On
    // Kafka, what keeps a long run within the mock's retention.
    int load_rate() const {
        return GetParam() == Backend::kafka ? setting("CC_FAULT_KAFKA_RATE", 10)
                                            : setting("CC_FAULT_RATE", 50);
    }
    std::string backend() const { return testing::backend_name(GetParam()); }

    void figure(const std::string& name, const std::string& value) {
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        std::cout << "[figure] " << test->test_suite_name() << "." << test->name() << " " << name
                  << "=" << value << std::endl;
        RecordProperty(name, value);
    }
    void figure(const std::string& name, long long value) { figure(name, std::to_string(value)); }

    // What every fault test checks once its load has stopped: nothing
    // acknowledged is missing or doubled, every event is projected once.
    void expect_nothing_lost(const CommandLoad& load) {
        const auto acknowledged = load.acknowledged();
        EXPECT_EQ(load.abandoned(), 0u) << "commands never acknowledged after the fault";
        const auto projected =
            wait_projected(stack().database_url, stack().log.topic(), acknowledged);
        EXPECT_EQ(projected, "");
        const auto log = read_log(stack().log);
        EXPECT_TRUE(log.unreadable.empty()) << log.unreadable.front();
        const auto lost = missing_or_doubled(log, acknowledged);
        EXPECT_TRUE(lost.empty()) << lost.size()
                                  << " acknowledged commands wrong, first: " << lost.front();
        const auto unapplied = unprojected(log, stack().database_url);
        EXPECT_TRUE(unapplied.empty())
            << unapplied.size() << " events wrongly projected, first: " << unapplied.front();
        figure("acknowledged", static_cast<long long>(acknowledged.size()));
        figure("log_records", static_cast<long long>(log.records));
    }

    // Every answer outside [2xx, 503] and every answer past the bound fails.
    void expect_only_success_or_503(const CommandLoad& load, Clock::time_point from,
                                    Clock::time_point to, const std::string& what) {
        const auto w = window(load.answers(), from, to);
        EXPECT_TRUE(w.unexpected.empty())
            << what << ": " << w.unexpected.size()
            << " answers other than 2xx or 503, first: " << w.unexpected.front();
        EXPECT_LE(w.longest, kAnswerBound) << what;
    }
};

std::string all_statuses(const CommandLoad& load) {
    return describe(
        window(load.answers(), Clock::time_point::min(), Clock::time_point::max()).by_status);
}

// ---------------------------------------------------------------------------
// kill -9 of the projector at random moments, under load, then a clean
// rebuild from offset 0 into a fresh database: every table identical.

TEST_P(Faults, ProjectorKilledAtRandomMomentsEqualsACleanRebuild) {
    // On Kafka each restart waits for the group to give the killed member's
    // partitions away (its 6 s session), so fewer kills there.
    const int kills = GetParam() == Backend::kafka ? setting("CC_FAULT_KAFKA_KILLS", 3)
                                                   : setting("CC_FAULT_KILLS", 10);
    const unsigned seed = static_cast<unsigned>(setting("CC_FAULT_SEED", 20240914));
    auto& s = stack();
    const auto started = Clock::now();
    CommandLoad load(s, 2, kAnswerBound, load_rate());
    load.start();

    pqxx::connection watcher(s.database_url);
    const auto applied = [&] {
        pqxx::nontransaction tx(watcher);
        return tx.exec("SELECT count(*) FROM audit_logs")[0][0].as<long>();
    };
    std::mt19937 random(seed);
    int at_start = 0;
    Clock::duration longest_round{};
    for (int kill = 0; kill < kills; ++kill) {
        const auto round_started = Clock::now();
        if (!s.projector) {
            s.projector = s.start("projector/projector", s.projector_port, {}, false);
        }
        // The moment: as soon as it serves HTTP (starting up, claiming its
        // partitions), or once it has committed 1 to 60 more events (in
        // the middle of the work, at another point of a batch each time).
        const auto before = applied();
        ASSERT_TRUE(testing::wait_until_ready(s.projector_port, "/healthz", 30000));
        if (random() % 4 == 0) {
            ++at_start;
        } else {
            const long more = 1 + static_cast<long>(random() % 60);
            ASSERT_TRUE(testing::eventually([&] { return applied() >= before + more; }))
                << "kill " << kill << ": the projector never applied " << more
                << " more events; load answers " << all_statuses(load);
        }
        s.projector->kill_hard();
        s.projector.reset();
        longest_round = std::max(longest_round, Clock::now() - round_started);
    }
    s.projector = s.start("projector/projector", s.projector_port);
    load.stop();
    const auto load_stopped = Clock::now();
    expect_only_success_or_503(load, started, load_stopped, "the load");
    EXPECT_EQ(load.answered(503), 0u) << "commands do not depend on the projector";
    expect_nothing_lost(load);

    const auto fresh = testing::postgres().create_database("rebuild_" + backend());
    const auto rebuild_started = Clock::now();
    const auto rebuilt = rebuild(s.log, fresh);
    ASSERT_EQ(rebuilt, "");
    const auto rebuild_ms = ms(Clock::now() - rebuild_started);
    // The killed-and-restarted projector reaches the same place.
    ASSERT_TRUE(
        while_progressing([&] { return applied_offsets(s.database_url) == applied_offsets(fresh); },
                          [&] { return applied_offsets(s.database_url); }))
        << applied_offsets(s.database_url) << " applied, " << applied_offsets(fresh) << " rebuilt";

    const auto original = checksums(s.database_url);
    const auto clean = checksums(fresh);
    long long rows = 0;
    for (const auto& [table, sum] : clean) {
        const auto it = original.find(table);
        ASSERT_NE(it, original.end()) << table;
        EXPECT_EQ(it->second.rows, sum.rows) << table << ": rows";
        EXPECT_EQ(it->second.digest, sum.digest) << table << ": content";
        rows += sum.rows;
    }
    EXPECT_EQ(original.size(), clean.size());
    EXPECT_GT(clean.at("patients").rows, 0);
    EXPECT_GT(clean.at("care_plans").rows, 0);
    {
        // The comparison can fail: one changed field changes its table's digest.
        pqxx::connection connection(fresh);
        pqxx::work tx(connection);
        tx.exec(
            "UPDATE patients SET last_name = last_name || '.' WHERE id = "
            "(SELECT id FROM patients LIMIT 1)");
        tx.commit();
    }
    EXPECT_NE(checksums(fresh).at("patients").digest, clean.at("patients").digest);
    figure("kills", kills);
    figure("kills_while_starting", at_start);
    figure("longest_kill_round_ms", ms(longest_round));
    figure("tables_compared", static_cast<long long>(clean.size()));
    figure("rows_compared", rows);
    figure("rebuild_ms", rebuild_ms);
    figure("seconds", ms(Clock::now() - started) / 1000);
}

CC_E2E_ON_EVERY_LOG(Faults);

// ---------------------------------------------------------------------------
// Outages: a part made unavailable under load (CC_FAULT_OUTAGES times, each
// lasting until the clients have had CC_FAULT_OUTAGE_ANSWERS answers and
// its own signs are seen), then available again, the services left alone.

// Ends a fault when it goes out of scope, unless now() already has: a test
// that fails in the middle of an outage leaves no part down for the next.
class Ending {
  public:
    explicit Ending(std::function<void()> end) : end_(std::move(end)) {}
    ~Ending() { now(); }
    Ending(const Ending&) = delete;
    Ending& operator=(const Ending&) = delete;
    void now() {
        if (auto end = std::exchange(end_, nullptr)) end();
    }

  private:
    std::function<void()> end_;
};

struct Outage {
    std::function<void()> begin;
    std::function<void()> end;
    // What must be seen while it lasts, beside the clients' answers.
    std::function<bool()> seen = [] { return true; };
    // Checks made once it has been seen, before it ends.
    std::function<void()> while_down = [] {};
};

struct OutageFigures {
    std::map<int, std::size_t> answers;  // by status, during the outages
    std::chrono::milliseconds longest_answer{0};
    Clock::duration longest_outage{};
    Clock::duration longest_recovery{};  // the end to the first command acknowledged after it
    std::map<std::string, Clock::duration> longest_ready;  // the end to ready again, by service
};

class Outages : public Faults {
  protected:
    OutageFigures run_outages(CommandLoad& load, const Outage& outage, int answers_each) {
        const int cycles = setting("CC_FAULT_OUTAGES", 1);
        auto& s = stack();
        std::vector<std::pair<Clock::time_point, Clock::time_point>> windows;
        OutageFigures figures;
        for (int cycle = 0; cycle < cycles; ++cycle) {
            EXPECT_TRUE(testing::eventually([&] { return load.acknowledged_count() >= 20; }))
                << all_statuses(load);
            const auto answered_before = load.answer_count();
            const auto down = Clock::now();
            outage.begin();
            Ending ending(outage.end);
            const bool seen = testing::eventually(
                [&] {
                    return load.answer_count() >=
                               answered_before + static_cast<std::size_t>(answers_each) &&
                           outage.seen();
                },
                std::chrono::seconds(180));
            EXPECT_TRUE(seen) << "outage " << cycle << ": " << all_statuses(load);
            if (seen) outage.while_down();
            ending.now();
            const auto up = Clock::now();
            const auto acknowledged = load.acknowledged_count();
            EXPECT_TRUE(
                testing::eventually([&] { return load.acknowledged_count() > acknowledged; },
                                    std::chrono::seconds(120)))
                << "outage " << cycle << ": commands did not recover: " << all_statuses(load);
            for (const auto& [service, port] :
                 std::map<std::string, int>{{"command", s.command_port},
                                            {"query", s.query_port},
                                            {"projector", s.projector_port}}) {
                EXPECT_TRUE(testing::wait_until_ready(port, "/readyz", 120000)) << service;
                auto& longest = figures.longest_ready[service];
                longest = std::max(longest, Clock::now() - up);
            }
            figures.longest_outage = std::max(figures.longest_outage, up - down);
            windows.emplace_back(down, up);
            if (::testing::Test::HasFailure()) break;
        }
        EXPECT_TRUE(s.command->running() && s.projector->running() && s.query->running())
            << "no service was restarted";
        const auto answers = load.answers();
        for (const auto& [down, up] : windows) {
            const auto w = window(answers, down, up);
            for (const auto& [status, count] : w.by_status) figures.answers[status] += count;
            figures.longest_answer = std::max(figures.longest_answer, w.longest);
            auto first = Clock::time_point::max();
            for (const auto& a : answers) {
                if (a.sent >= up && a.status >= 200 && a.status < 300)
                    first = std::min(first, a.answered);
            }
            if (first != Clock::time_point::max())
                figures.longest_recovery = std::max(figures.longest_recovery, first - up);
        }
        figure("outages", static_cast<long long>(windows.size()));
        figure("answers_during_outages", describe(figures.answers));
        figure("longest_answer_during_outages_ms", figures.longest_answer.count());
        figure("longest_outage_ms", ms(figures.longest_outage));
        figure("longest_recovery_ms", ms(figures.longest_recovery));
        std::string ready;
        for (const auto& [service, longest] : figures.longest_ready) {
            ready += (ready.empty() ? "" : ",") + service + ":" + std::to_string(ms(longest));
        }
        figure("longest_until_ready_ms", ready);
        return figures;
    }
};

// PostgreSQL stopped (pg_ctl stop -m fast: every session ended) and started
// again. On the PostgreSQL log commands get 503 while it is down; on Kafka
// they go on (the command service does not use the database). Either way
// reads get 503, never 500, the projector notices, and all comes back.
TEST_P(Outages, PostgresStoppedAndRestartedUnderLoad) {
    auto& s = stack();
    CommandLoad load(s, 2, kAnswerBound, load_rate());
    // A tenant to read while the database is down, and its admin's token.
    const auto tenant =
        testing::http_request(s.command_port, "POST", "/v1/tenants",
                              R"({"name":"Reader","slug":"reader-)" + std::to_string(::getpid()) +
                                  "-" + backend() + R"("})",
                              {{"Authorization", "Bearer " + s.admin_token}});
    ASSERT_EQ(tenant.status, 201) << tenant.body;
    const auto tenant_path = "/v1/tenants/" + std::string(tenant.json().at("id").as_string());
    const auto reader = s.token_for_target(tenant_path + "/patients");
    const auto read = [&] {
        return testing::http_request(s.query_port, "GET", tenant_path + "/patients", "",
                                     {{"Authorization", "Bearer " + reader}}, kAnswerBound);
    };
    ASSERT_EQ(read().status, 200);
    const auto projector_ready = [&] {
        return testing::http_request(s.projector_port, "GET", "/readyz", "", {}, kAnswerBound)
                   .status == 200;
    };
    load.start();
    std::size_t refused_before = 0;
    const auto figures =
        run_outages(load,
                    {.begin =
                         [&] {
                             refused_before = load.answered(503);
                             testing::postgres().stop();
                         },
                     .end = [&] { testing::postgres().start(); },
                     .seen =
                         [&] {
                             // The projector has hit the outage; on the PostgreSQL log
                             // commands are refused too.
                             return !projector_ready() && (GetParam() == Backend::kafka ||
                                                           load.answered(503) > refused_before);
                         },
                     .while_down =
                         [&] {
                             const auto refused = read();
                             EXPECT_EQ(refused.status, 503) << refused.body;
                             EXPECT_EQ(refused.header("content-type"), "application/problem+json");
                         }},
                    setting("CC_FAULT_OUTAGE_ANSWERS", 20));
    EXPECT_TRUE(testing::eventually([&] { return read().status == 200; }));
    load.stop();
    expect_only_success_or_503(load, Clock::time_point::min(), Clock::time_point::max(),
                               "the load");
    if (GetParam() == Backend::kafka) {
        EXPECT_EQ(load.answered(503), 0u) << "commands on Kafka do not need the database";
    } else {
        EXPECT_GT(figures.answers.count(503), 0u);
    }
    expect_nothing_lost(load);
}

CC_E2E_ON_EVERY_LOG(Outages);

// The Kafka brokers made unavailable (the mock cluster drops every
// connection and refuses new ones), then available again: commands get 503
// within the bound, none answered 503 and retried with its key is appended
// twice, and all comes back.
class KafkaOutages : public Outages {};

TEST_P(KafkaOutages, BrokersDownAndUpUnderLoad) {
    auto& s = stack();
    CommandLoad load(s, 2, kAnswerBound, load_rate());
    load.start();
    std::size_t refused_before = 0;
    const auto figures = run_outages(load,
                                     {.begin =
                                          [&] {
                                              refused_before = load.answered(503);
                                              s.cluster->set_brokers_up(false);
                                          },
                                      .end = [&] { s.cluster->set_brokers_up(true); },
                                      .seen = [&] { return load.answered(503) > refused_before; }},
                                     setting("CC_FAULT_KAFKA_OUTAGE_ANSWERS", 5));
    load.stop();
    expect_only_success_or_503(load, Clock::time_point::min(), Clock::time_point::max(),
                               "the load");
    EXPECT_GT(figures.answers.count(503), 0u);
    expect_nothing_lost(load);
}

INSTANTIATE_TEST_SUITE_P(Logs, KafkaOutages, ::testing::Values(Backend::kafka),
                         [](const auto&) { return std::string("kafka"); });

// ---------------------------------------------------------------------------
// Faults whose handling does not depend on the log adapter, on the
// PostgreSQL log alone.

class SingleLogFaults : public Faults {};

// A command refused for an outage leaves the model waiting for a catch-up.
// /readyz makes it, so a service nobody sends commands to (it is not
// ready) becomes ready by itself once the database is back.
TEST_P(SingleLogFaults, CommandServiceIsReadyAgainWithoutACommand) {
    auto& s = stack();
    const std::map<std::string, std::string> as_operator{
        {"Authorization", "Bearer " + s.admin_token}};
    const auto user = [&](const std::string& name) {
        return testing::http_request(
            s.command_port, "POST", "/v1/users",
            R"({"email":")" + name + std::to_string(::getpid()) + R"(@example.org"})", as_operator,
            kAnswerBound);
    };
    ASSERT_EQ(user("before").status, 201);
    testing::postgres().stop();
    Ending restart([] { testing::postgres().start(); });
    const auto refused = user("during");
    restart.now();
    EXPECT_EQ(refused.status, 503) << refused.body;
    EXPECT_EQ(refused.header("content-type"), "application/problem+json");
    EXPECT_TRUE(testing::wait_until_ready(s.command_port, "/readyz", 60000))
        << "not ready again without a command";
    EXPECT_EQ(user("after").status, 201);
}

// A full disk under the blob store, once documents have landed: an upload
// is refused with a 503 problem that says so, nothing is appended, nothing
// is left under its key; what landed before still downloads; once space is
// freed the same upload (same Idempotency-Key) is stored.
TEST_P(SingleLogFaults, FullBlobDiskRefusesUploadsCleanlyAndRecovers) {
    namespace fs = std::filesystem;
    auto& s = stack();
    const fs::path disk = "/tmp/cc-faults-blobs-" + std::to_string(::getpid());
    fs::create_directories(disk);
    // A real, small filesystem of its own: ENOSPC from the kernel, not a fake.
    constexpr int kDiskKiB = 512;
    if (::mount("tmpfs", disk.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
                ("size=" + std::to_string(kDiskKiB) + "k").c_str()) != 0) {
        const int error = errno;
        fs::remove(disk);
        GTEST_SKIP() << "cannot mount a tmpfs for the blob store (" << std::strerror(error)
                     << "): this test needs root or CAP_SYS_ADMIN";
    }
    struct Unmount {
        fs::path path;
        ~Unmount() {
            ::umount2(path.c_str(), MNT_DETACH);
            std::error_code ec;
            fs::remove_all(path, ec);
        }
    } unmount{disk};
    // The services that touch blobs, on it from now on.
    s.command.reset();
    s.command = s.start("command-service/command-service", s.command_port,
                        {{"CC_BLOB_DIR", disk.string()}});
    s.query.reset();
    s.query =
        s.start("query-service/query-service", s.query_port, {{"CC_BLOB_DIR", disk.string()}});

    const auto created = testing::http_request(
        s.command_port, "POST", "/v1/tenants",
        R"({"name":"Disk","slug":"disk-)" + std::to_string(::getpid()) + R"("})",
        {{"Authorization", "Bearer " + s.admin_token}});
    ASSERT_EQ(created.status, 201) << created.body;
    const auto tenant = "/v1/tenants/" + std::string(created.json().at("id").as_string());
    const auto token = "Bearer " + s.token_for_target(tenant + "/documents");
    const auto upload = [&](const std::string& bytes, const std::string& key) {
        return testing::http_request(
            s.command_port, "POST", tenant + "/documents?name=Note", bytes,
            {{"Authorization", token}, {"Content-Type", "text/plain"}, {"Idempotency-Key", key}},
            kAnswerBound);
    };
    const auto download = [&](const std::string& id, const std::string& position) {
        return testing::http_request(
            s.query_port, "GET", tenant + "/documents/" + id + "/content?min_position=" + position,
            "", {{"Authorization", token}}, kAnswerBound);
    };
    const auto note = [](char c) { return std::string(20 * 1024, c); };
    const auto files = [&] {
        std::set<std::string> out;
        for (const auto& entry : fs::recursive_directory_iterator(disk / "sha256"))
            if (entry.is_regular_file()) out.insert(fs::relative(entry.path(), disk).string());
        return out;
    };

    // Documents land.
    std::vector<std::pair<std::string, std::string>> landed;  // id, position
    for (const char c : {'a', 'b'}) {
        const auto r = upload(note(c), Uuid::random_v4().to_string());
        ASSERT_EQ(r.status, 201) << r.body;
        landed.emplace_back(std::string(r.json().at("id").as_string()),
                            std::string(r.json().at("position").as_string()));
    }
    const auto stored_before = files();
    ASSERT_EQ(stored_before.size(), 2u);

    // The disk fills up.
    {
        std::ofstream filler(disk / "filler", std::ios::binary);
        const std::string chunk(4096, 'f');
        while (filler.write(chunk.data(), static_cast<std::streamsize>(chunk.size())) &&
               filler.flush()) {
        }
    }
    const auto appended_before = s.log_size();
    const auto key = Uuid::random_v4().to_string();
    const auto bytes = note('c');
    const auto refused = upload(bytes, key);
    EXPECT_EQ(refused.status, 503) << refused.body;
    EXPECT_EQ(refused.header("content-type"), "application/problem+json");
    EXPECT_EQ(std::string(refused.json().at("type").as_string()),
              "urn:complexcare:problem:blob-store-full");
    EXPECT_EQ(s.log_size(), appended_before) << "a refused upload appends nothing";
    EXPECT_EQ(files(), stored_before) << "no part of the refused file, no temporary, is left";
    for (const auto& [id, position] : landed) {
        const auto r = download(id, position);
        EXPECT_EQ(r.status, 200) << "what landed before still downloads";
        EXPECT_EQ(r.body.size(), 20u * 1024);
    }

    // Space is freed: the same upload goes through, once.
    fs::remove(disk / "filler");
    const auto stored = upload(bytes, key);
    ASSERT_EQ(stored.status, 201) << stored.body;
    EXPECT_EQ(s.log_size(), appended_before + 1);
    const auto back = download(std::string(stored.json().at("id").as_string()),
                               std::string(stored.json().at("position").as_string()));
    EXPECT_EQ(back.status, 200);
    EXPECT_EQ(back.body, bytes);
    EXPECT_EQ(files().size(), 3u);
    figure("disk_kib", kDiskKiB);
}

INSTANTIATE_TEST_SUITE_P(Logs, SingleLogFaults, ::testing::Values(Backend::postgres),
                         [](const auto&) { return std::string("postgres"); });

}  // namespace
}  // namespace cc::faults
