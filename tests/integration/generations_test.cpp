// Projection generations with the real projector process, the real CLI and
// a private PostgreSQL (DESIGN.md, "Read side"):
//  - a rebuild while events keep arriving ends, once both have the same
//    events, with the new generation equal row for row to the old one (an
//    MD5 per table, every projection table), and readers switched to it;
//  - a projector killed (SIGKILL) in the middle of a rebuild leaves it
//    building, and the next one resumes it from its checkpoints: nothing
//    lost, nothing doubled (audit_logs' primary key would park a double in
//    dead_letters);
//  - the access stream's rows are rebuilt with it: the new generation's
//    audit_logs hold the same reads and refusals, chained alike;
//  - an as-of generation is ready only once both streams reached its cut.
#include <gtest/gtest.h>

#include <fstream>
#include <pqxx/pqxx>
#include <sstream>

#include "events/envelope.hpp"
#include "platform/eventlog/factory.hpp"
#include "platform/generations/store.hpp"
#include "platform/pg/migrator.hpp"
#include "projector/projector.hpp"
#include "tests/support/access_fact.hpp"
#include "tests/support/catch_up.hpp"
#include "tests/support/envelope_of.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/process.hpp"

namespace cc::projector {
namespace {

using namespace std::chrono_literals;
constexpr int kPartitions = 4;
constexpr const char* kCliOutput = "/tmp/cc-generations-cli.log";
constexpr const char* kProjectorLog = "/tmp/cc-generations-projector.log";

class GenerationsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = std::string("generations_") + test->name();
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        url_ = testing::postgres().create_database(name.substr(0, 60));
        config_.postgres = {url_, kPartitions};
        writer_ = eventlog::open_writer(config_);
        watcher_ = std::make_unique<pqxx::connection>(url_);
    }

    std::map<std::string, std::string> env() const {
        return {{"CC_DATABASE_URL", url_},
                {"CC_LOG_PARTITIONS", std::to_string(kPartitions)},
                {"CC_MIGRATIONS_DIR", testing::migrations_dir()},
                {"CC_HTTP_PORT", "0"},
                {"CC_PROJECTOR_BATCH", "7"},
                {"CC_LOG_LEVEL", "warn"}};
    }
    std::unique_ptr<testing::Process> projector_process() {
        return std::make_unique<testing::Process>(testing::binary("projector/projector"), env(),
                                                  kProjectorLog);
    }
    int complexcare(const std::vector<std::string>& args) {
        testing::Process cli(testing::binary("cli/complexcare"), env(), kCliOutput, args);
        return cli.wait();
    }

    void append(const events::Envelope& e) {
        const auto key =
            e.tenant_id == kPlatformTenant ? e.aggregate_id.to_string() : e.tenant_id.to_string();
        eventlog::OutgoingRecord record{key, events::serialize(e), {}};
        ASSERT_TRUE(writer_->append(eventlog::partition_for(key, kPartitions), {&record, 1}).ok());
    }
    // A tenant made and renamed: two events on the tenant's partition.
    void append_tenant(int i) {
        const auto tenant = TenantId::generate();
        const auto slug = "tenant-" + std::to_string(i);
        append(testing::envelope_of("TenantCreated", "tenant", tenant.uuid(), tenant, 1,
                                    {{"name", slug}, {"slug", slug}}));
        append(testing::envelope_of(
            "TenantUpdated", "tenant", tenant.uuid(), tenant, 2,
            {{"changes", {{"name", {{"old", slug}, {"new", slug + "-renamed"}}}}}}));
    }
    // A tenant in `partition` whose membership names a user not in the log
    // yet (the user's partition is 0): no projection of that partition can
    // go past it, so a rebuild cannot end, whatever the machine's speed,
    // until the test appends the user (returned).
    UserId append_waiting_membership(int partition) {
        auto tenant = TenantId::generate();
        while (eventlog::partition_for(tenant.to_string(), kPartitions) != partition) {
            tenant = TenantId::generate();
        }
        auto user = UserId::generate();
        while (eventlog::partition_for(user.to_string(), kPartitions) != 0) {
            user = UserId::generate();
        }
        append(
            testing::envelope_of("TenantCreated", "tenant", tenant.uuid(), tenant, 1,
                                 {{"name", "waiting"}, {"slug", "waiting-" + tenant.to_string()}}));
        append(testing::envelope_of(
            "MembershipGranted", "membership", Uuid::random_v4(), tenant, 1,
            {{"user_id", user.to_string()}, {"role", "carer"}, {"is_primary", false}}));
        return user;
    }
    void append_user(const UserId& user) {
        append(testing::envelope_of("UserRegistered", "user", user.uuid(), kPlatformTenant, 1,
                                    {{"email", user.to_string() + "@example.org"}}));
    }

    // A tenant with a user: the names an access fact refers to.
    std::pair<TenantId, UserId> append_reader(int i) {
        const auto tenant = TenantId::generate();
        const auto slug = "read-" + std::to_string(i);
        append(testing::envelope_of("TenantCreated", "tenant", tenant.uuid(), tenant, 1,
                                    {{"name", slug}, {"slug", slug}}));
        const auto user = UserId::generate();
        append_user(user);
        return {tenant, user};
    }
    // The i-th read or refusal of one of `readers`, on the access stream.
    void record_access(const std::vector<std::pair<TenantId, UserId>>& readers, int i) {
        static constexpr events::access::Kind kKinds[] = {
            events::access::Kind::view, events::access::Kind::search, events::access::Kind::denied};
        const auto& [tenant, user] = readers[static_cast<std::size_t>(i) % readers.size()];
        if (!access_writer_) access_writer_ = eventlog::open_writer(config_.access_stream());
        const auto recorded = testing::record_access(
            *access_writer_,
            testing::access_fact(kKinds[i % 3], tenant, user, {Uuid::random_v4().to_string()}));
        ASSERT_TRUE(recorded.ok()) << recorded.error().detail;
    }
    long access_size() {
        return scalar("SELECT coalesce(sum(next_offset), 0) FROM access_log_partitions");
    }
    // How far the access stream is projected into a generation.
    long accessed(const std::string& schema) { return applied(schema, "access_log"); }
    // A generation's access rows and their chain links: count and md5.
    std::pair<std::string, std::string> access_trail(const std::string& schema) {
        pqxx::nontransaction tx(*watcher_);
        const auto rows = tx.exec(
            "SELECT count(*) || ' ' || coalesce(md5(string_agg(a::text, E'\\n' ORDER BY a.id)), "
            "'') FROM " +
            schema + ".audit_logs a WHERE a.action IN ('view', 'search', 'denied')")[0][0];
        const auto links = tx.exec(
            "SELECT count(*) || ' ' || coalesce(md5(string_agg(concat_ws(' ', audit_log_id, "
            "tenant_id, seq, prev_hash, row_hash), E'\\n' ORDER BY tenant_id, seq)), '') FROM " +
            schema + ".audit_chain WHERE stream = 'access'")[0][0];
        return {rows.as<std::string>(), links.as<std::string>()};
    }

    long scalar(const std::string& sql) {
        pqxx::nontransaction tx(*watcher_);
        return tx.exec(sql)[0][0].as<long>();
    }
    long log_size() {
        return scalar("SELECT coalesce(sum(next_offset), 0) FROM event_log_partitions");
    }
    // How far a stream (the domain log: event_log) is projected into a generation.
    long applied(const std::string& schema, const std::string& topic = "event_log") {
        pqxx::nontransaction tx(*watcher_);
        long sum = 0;
        for (const auto& [p, next] : generations::checkpoints(tx, schema, "main", topic)) {
            sum += next;
        }
        return sum;
    }
    std::optional<generations::Generation> generation(const std::string& name) {
        pqxx::read_transaction tx(*watcher_);
        return generations::by_name(tx, name);
    }
    std::map<std::string, std::string> checksums(const std::string& schema) {
        pqxx::read_transaction tx(*watcher_);
        return generations::table_checksums(tx, schema);
    }
    // Brings a generation no projector serves any more to the log's end, as
    // its projector would have: then it can be compared with another one.
    void project_to_end(const std::string& schema) {
        Projector p(ProjectorOptions{
            .database_url = url_, .topic = "event_log", .reference_retry = 10ms, .schema = schema});
        auto reader = eventlog::open_reader(
            config_, {.group = "", .start_offset = [&](int i) { return p.checkpoint(i); }});
        const auto stopped = testing::catch_up(p, *reader);
        ASSERT_TRUE(stopped.empty()) << stopped;
    }
    void expect_same_tables(const std::string& old_schema, const std::string& new_schema) {
        const auto old_sums = checksums(old_schema);
        const auto new_sums = checksums(new_schema);
        EXPECT_GE(new_sums.size(), 21u) << "every projection table is compared";
        EXPECT_TRUE(new_sums.contains("audit_logs"));
        EXPECT_TRUE(new_sums.contains("projection_checkpoints"));
        EXPECT_TRUE(new_sums.contains("entity_versions"));
        EXPECT_EQ(old_sums, new_sums);
    }

    std::string url_;
    eventlog::LogConfig config_;
    std::unique_ptr<eventlog::LogWriter> writer_;
    std::unique_ptr<eventlog::LogWriter> access_writer_;
    std::unique_ptr<pqxx::connection> watcher_;
};

TEST_F(GenerationsTest, ARebuildWhileEventsArriveEndsEqualToTheOldGenerationRowForRow) {
    constexpr int kTenants = 400;
    for (int i = 0; i < kTenants; ++i) append_tenant(i);
    const auto missing_user = append_waiting_membership(1);
    auto projector = projector_process();
    ASSERT_TRUE(testing::eventually([&] { return applied("public") == log_size() - 1; }));

    // The rebuild cannot end while the membership waits for its user, so
    // the events appended meanwhile arrive while it runs, however fast it is.
    ASSERT_EQ(complexcare({"rebuild", "--name", "second", "--detach", "true"}), 0)
        << "see " << kCliOutput;
    const long before = log_size();
    constexpr int kArriving = 200;
    for (int i = kTenants; i < kTenants + kArriving; ++i) append_tenant(i);
    EXPECT_EQ(generation("second")->state, generations::State::building)
        << "the events arrived while the rebuild ran";
    append_user(missing_user);
    ASSERT_TRUE(testing::eventually(
        [&] { return generation("second")->state == generations::State::current; }));
    EXPECT_GT(log_size(), before) << "events arrived while the rebuild ran";

    const auto second = generation("second");
    ASSERT_TRUE(second);
    EXPECT_EQ(second->state, generations::State::current);
    EXPECT_EQ(second->schema, "gen_second");
    EXPECT_EQ(generation("initial")->state, generations::State::retired);
    // The projector goes on in the new generation.
    ASSERT_TRUE(testing::eventually([&] { return applied("gen_second") == log_size(); }));
    EXPECT_EQ(scalar("SELECT count(*) FROM gen_second.dead_letters"), 0);

    // The old one stopped at the switch; with the same events, the same rows.
    EXPECT_LE(applied("public"), log_size());
    project_to_end("public");
    expect_same_tables("public", "gen_second");
    EXPECT_EQ(scalar("SELECT count(*) FROM gen_second.audit_logs"), log_size());

    // The rebuilt audit trail is append-only like the first one.
    pqxx::connection owner(url_);
    pqxx::work tx(owner);
    EXPECT_THROW(tx.exec("UPDATE gen_second.audit_logs SET action = 'forged'"), pqxx::sql_error);
}

TEST_F(GenerationsTest, AProjectorKilledInTheMiddleOfARebuildResumesIt) {
    constexpr int kTenants = 1200;
    for (int i = 0; i < kTenants; ++i) append_tenant(i);
    // Each partition but one ends with a membership whose user is not in the
    // log yet: however fast the rebuild runs, it cannot end before the test
    // lets it.
    std::vector<UserId> missing_users;
    for (int partition = 1; partition < kPartitions; ++partition) {
        missing_users.push_back(append_waiting_membership(partition));
    }
    const long waiting = kPartitions - 1;
    auto projector = projector_process();
    ASSERT_TRUE(testing::eventually([&] { return applied("public") == log_size() - waiting; }));

    ASSERT_EQ(complexcare({"rebuild", "--name", "resumed", "--detach", "true"}), 0)
        << "see " << kCliOutput;
    const long threshold = log_size() / 3;
    ASSERT_TRUE(testing::eventually([&] { return applied("gen_resumed") >= threshold; }));
    projector->freeze();
    const long killed_at = applied("gen_resumed");
    projector->kill_hard();
    projector.reset();
    EXPECT_EQ(generation("resumed")->state, generations::State::building);
    EXPECT_EQ(generation("initial")->state, generations::State::current);
    RecordProperty("killed_at", std::to_string(killed_at) + "/" + std::to_string(log_size()));

    projector = projector_process();
    ASSERT_TRUE(testing::eventually([&] { return applied("gen_resumed") > killed_at; }))
        << "the next projector resumes the rebuild";
    ASSERT_TRUE(
        testing::eventually([&] { return applied("gen_resumed") == log_size() - waiting; }));
    EXPECT_EQ(generation("resumed")->state, generations::State::building)
        << "not switched while it cannot have every event";
    for (const auto& user : missing_users) append_user(user);
    ASSERT_TRUE(testing::eventually(
        [&] { return generation("resumed")->state == generations::State::current; }));
    ASSERT_TRUE(testing::eventually([&] { return applied("gen_resumed") == log_size(); }));
    EXPECT_EQ(projector->terminate(), 0);

    EXPECT_EQ(scalar("SELECT count(*) FROM gen_resumed.dead_letters"), 0);
    EXPECT_EQ(scalar("SELECT count(*) FROM gen_resumed.audit_logs"), log_size());
    EXPECT_EQ(scalar("SELECT count(*) FROM gen_resumed.user_tenants"), waiting);
    project_to_end("public");
    expect_same_tables("public", "gen_resumed");
}

// The access stream's rows (reads and refusals) reach a rebuilt generation
// through the access stream's builder, while the domain log's rebuild is
// held open, and from the old generation's access rows to the new one's
// nothing differs: the same rows, the same chain links.
TEST_F(GenerationsTest, ARebuildHoldsTheSameAccessRowsAndChainAsTheOldGeneration) {
    std::vector<std::pair<TenantId, UserId>> readers;
    for (int i = 0; i < 6; ++i) readers.push_back(append_reader(i));
    constexpr int kBefore = 30;
    for (int i = 0; i < kBefore; ++i) record_access(readers, i);
    const auto missing_user = append_waiting_membership(1);
    auto projector = projector_process();
    ASSERT_TRUE(testing::eventually([&] {
        return applied("public") == log_size() - 1 && accessed("public") == access_size();
    }));

    ASSERT_EQ(complexcare({"rebuild", "--name", "audited", "--detach", "true"}), 0)
        << "see " << kCliOutput;
    // Reads go on while the rebuild runs: the live generation gets them, and
    // the new one from the access stream's builder.
    constexpr int kDuring = 15;
    for (int i = kBefore; i < kBefore + kDuring; ++i) record_access(readers, i);
    ASSERT_TRUE(testing::eventually([&] {
        return accessed("public") == access_size() && accessed("gen_audited") == access_size();
    })) << "the access stream's builder brings the new generation to the stream's end";
    EXPECT_EQ(generation("audited")->state, generations::State::building)
        << "the access rows were built before readers switched";
    append_user(missing_user);
    ASSERT_TRUE(testing::eventually(
        [&] { return generation("audited")->state == generations::State::current; }));
    ASSERT_TRUE(testing::eventually([&] { return applied("gen_audited") == log_size(); }));
    EXPECT_EQ(projector->terminate(), 0);

    const auto old_trail = access_trail("public");
    EXPECT_TRUE(old_trail.first.starts_with(std::to_string(kBefore + kDuring) + " "))
        << old_trail.first;
    EXPECT_TRUE(old_trail.second.starts_with(std::to_string(kBefore + kDuring) + " "))
        << "every access row is chained: " << old_trail.second;
    EXPECT_EQ(access_trail("gen_audited"), old_trail);
    EXPECT_EQ(scalar("SELECT count(*) FROM gen_audited.dead_letters"), 0);
}

// The handshake of an as-of generation's two builders (the domain log's and
// the access stream's, perhaps in two projector processes): whichever comes
// second makes it ready, and a builder arriving again changes nothing.
TEST_F(GenerationsTest, AnAsOfGenerationIsReadyOnlyOnceBothStreamsReachedItsCut) {
    pqxx::nontransaction(*watcher_).exec(
        "INSERT INTO projection_generations (name, schema_name, kind, state, as_of, "
        "as_of_time) VALUES ('then', 'gen_then', 'as_of', 'building', "
        "'2026-11-01T09:00:00Z', '2026-11-01T09:00:00Z')");
    const auto then = *generation("then");
    const auto arrive = [&](generations::AsOfStream stream) {
        pqxx::work tx(*watcher_);
        auto state = generations::reach_cut(tx, then, stream);
        EXPECT_TRUE(state.ok()) << state.error().detail;
        tx.commit();
        return state.ok() ? *state : generations::State::dropped;
    };
    const auto reached = [&](generations::AsOfStream stream) {
        pqxx::read_transaction tx(*watcher_);
        return generations::reached_cut(tx, then, stream);
    };
    EXPECT_FALSE(reached(generations::AsOfStream::access));
    EXPECT_EQ(arrive(generations::AsOfStream::access), generations::State::building);
    EXPECT_EQ(arrive(generations::AsOfStream::access), generations::State::building);
    EXPECT_TRUE(reached(generations::AsOfStream::access));
    EXPECT_FALSE(reached(generations::AsOfStream::changes));
    EXPECT_EQ(generation("then")->state, generations::State::building);
    EXPECT_EQ(arrive(generations::AsOfStream::changes), generations::State::ready);
    EXPECT_EQ(generation("then")->state, generations::State::ready);
}

TEST_F(GenerationsTest, TheCurrentGenerationCannotBeDroppedAnOldOneCan) {
    for (int i = 0; i < 20; ++i) append_tenant(i);
    auto projector = projector_process();
    ASSERT_EQ(complexcare({"rebuild", "--name", "next", "--plain", "true"}), 0)
        << "see " << kCliOutput;
    EXPECT_NE(complexcare({"generations", "drop", "next"}), 0) << "readers use it";
    EXPECT_EQ(generation("next")->state, generations::State::current);
    ASSERT_EQ(complexcare({"generations", "drop", "initial"}), 0) << "see " << kCliOutput;
    EXPECT_FALSE(generation("initial"));
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND "
                     "tablename IN ('audit_logs', 'patients', 'projection_checkpoints')"),
              0)
        << "the first generation's tables are gone";
    EXPECT_EQ(scalar("SELECT count(*) FROM event_log"), log_size()) << "the log stays";
    // Migrations now go to the generations that remain.
    ASSERT_TRUE(pg::migrate(url_, testing::migrations_dir()).ok());
    append_tenant(99);
    ASSERT_TRUE(testing::eventually([&] { return applied("gen_next") == log_size(); }));
}

}  // namespace
}  // namespace cc::projector
