// The audit trail's hash chain as the real projector writes it into a real
// PostgreSQL, tampered with as the database owner with triggers off, and
// `complexcare audit verify`'s library finding and naming each tampering.
#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <set>
#include <sstream>

#include "cli/audit_verify.hpp"
#include "events/envelope.hpp"
#include "platform/audit/chain.hpp"
#include "platform/audit/stored_row.hpp"
#include "platform/eventlog/factory.hpp"
#include "projector/projector.hpp"
#include "tests/support/access_fact.hpp"
#include "tests/support/catch_up.hpp"
#include "tests/support/envelope_of.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/process.hpp"

namespace cc::audit {
namespace {

constexpr int kPartitions = 3;

class AuditChainTest : public ::testing::Test {
  protected:
    void SetUp() override {
        url_ = database("audit_chain");
        writer_ = eventlog::open_writer(log_config(url_));
        trail();
        project(url_);
    }

    static std::string database(const std::string& prefix) {
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = prefix + "_" + test->name();
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return testing::postgres().create_database(name.substr(0, 60));
    }

    static eventlog::LogConfig log_config(const std::string& url) {
        eventlog::LogConfig config;
        config.postgres = {url, kPartitions};
        return config;
    }

    // Under the command service's key; kept to append to other logs too.
    void append(events::Envelope e) {
        e.request.ip = "10.4.5.6";
        e.request.user_agent = "audit-chain-test";
        const auto key =
            e.tenant_id == kPlatformTenant ? e.aggregate_id.to_string() : e.tenant_id.to_string();
        records_.push_back({key, events::serialize(e), {}});
        ASSERT_TRUE(
            writer_->append(eventlog::partition_for(key, kPartitions), {&records_.back(), 1}).ok());
    }

    // Two tenants with patients registered and changed (old values read
    // from the row), names with quotes and accents, and platform users.
    void trail() {
        for (const auto* tenant : {&tenant_, &other_}) {
            append(testing::envelope_of(
                "TenantCreated", "tenant", tenant->uuid(), *tenant, 1,
                {{"name", "Care \"Home\""}, {"slug", "care-" + tenant->to_string()}}));
        }
        for (int i = 0; i < 3; ++i) {
            const auto user = UserId::generate();
            users_.push_back(user);
            append(testing::envelope_of("UserRegistered", "user", user.uuid(), kPlatformTenant, 1,
                                        {{"email", user.to_string() + "@example.org"}}));
        }
        for (int i = 0; i < 6; ++i) {
            const auto patient = Uuid::random_v4();
            const auto& tenant = i % 3 == 2 ? other_ : tenant_;
            append(testing::envelope_of("PatientRegistered", "patient", patient, tenant, 1,
                                        {{"first_name", "Zoë " + std::to_string(i)},
                                         {"last_name", "O'Brien"},
                                         {"date_of_birth", "1950-02-0" + std::to_string(i + 1)}}));
            append(testing::envelope_of(
                "PatientUpdated", "patient", patient, tenant, 2,
                {{"changes", {{"phone", {{"new", "0207 946 000" + std::to_string(i)}}}}}}));
        }
        append(testing::envelope_of(
            "TenantUpdated", "tenant", tenant_.uuid(), tenant_, 2,
            {{"changes", {{"name", {{"old", "Care \"Home\""}, {"new", "Care Home Ltd"}}}}}}));
    }

    static void project(const std::string& url, std::size_t batch = 2000) {
        projector::Projector p({.database_url = url, .topic = "event_log", .batch_size = batch});
        auto reader = eventlog::open_reader(
            log_config(url),
            {.group = "projector", .start_offset = [&](int i) { return p.checkpoint(i); }});
        const auto stopped = testing::catch_up(p, *reader);
        ASSERT_TRUE(stopped.empty()) << stopped;
    }

    // Reads and refusals on the access stream, projected by a projector of
    // that stream as the projector process's access worker runs it: views
    // and a search in one tenant, a refusal with no user in the other.
    void access_trail() {
        using events::access::Kind;
        const auto config = log_config(url_).access_stream();
        auto writer = eventlog::open_writer(config);
        const auto patient = Uuid::random_v4().to_string();
        for (const auto& fact : {testing::access_fact(Kind::view, tenant_, users_[0], {patient}),
                                 testing::access_fact(Kind::search, tenant_, users_[1],
                                                      {patient, Uuid::random_v4().to_string()}),
                                 testing::access_fact(Kind::view, tenant_, users_[0], {patient}),
                                 testing::access_fact(Kind::denied, other_, std::nullopt, {})}) {
            const auto recorded = testing::record_access(*writer, fact);
            ASSERT_TRUE(recorded.ok()) << recorded.error().detail;
        }
        projector::Projector p({.database_url = url_,
                                .topic = config.topic(),
                                .batch_size = 2000,
                                .access_stream = true});
        auto reader = eventlog::open_reader(
            config,
            {.group = "projector.access", .start_offset = [&](int i) { return p.checkpoint(i); }});
        const auto stopped = testing::catch_up(p, *reader);
        ASSERT_TRUE(stopped.empty()) << stopped;
    }

    VerifyReport verify(bool against_log, std::optional<std::string> tenant = std::nullopt) {
        pqxx::connection database(url_);
        auto reader = eventlog::open_reader(log_config(url_), {});
        auto access = eventlog::open_reader(log_config(url_).access_stream(), {});
        auto report = audit::verify(database, {.tenant = std::move(tenant)},
                                    against_log ? reader.get() : nullptr,
                                    against_log ? access.get() : nullptr);
        EXPECT_TRUE(report.ok()) << report.error().detail;
        return report.ok() ? *report : VerifyReport{};
    }

    // As the database owner, past the append-only triggers (and the
    // foreign keys, which are triggers too).
    void tamper(const std::string& sql) {
        pqxx::connection owner(url_);
        pqxx::work tx(owner);
        tx.exec("SET LOCAL session_replication_role = replica");
        tx.exec(sql);
        tx.commit();
    }

    // A view forged into `tenant`'s chain `stream`, with a well-made link
    // at the chain's end (its first when there is none yet): the chain
    // alone cannot tell. Its id.
    std::string forge_view(const std::string& tenant, const std::string& stream) {
        const auto forged = Uuid::random_v4().to_string();
        tamper(
            "INSERT INTO audit_logs (id, tenant_id, action, entity_type, entity_id, details, "
            "created_at) VALUES ('" +
            forged + "', '" + tenant + "', 'view', 'patient', NULL, '{}', now())");
        pqxx::connection c(url_);
        pqxx::nontransaction tx(c);
        const auto read = tx.exec_params(
            "SELECT " + std::string(kAuditRowSelect) + " FROM audit_logs a WHERE a.id = $1::uuid",
            forged)[0];
        const AuditRow row = audit_row_at(read);
        const auto head = tx.exec_params(
            "SELECT seq, row_hash FROM audit_chain WHERE tenant_id = $1::uuid AND stream = $2 "
            "ORDER BY seq DESC LIMIT 1",
            tenant, stream);
        const std::int64_t seq = head.empty() ? 1 : head[0][0].as<std::int64_t>() + 1;
        const auto prev = head.empty() ? std::string(kGenesisHash) : head[0][1].as<std::string>();
        tamper("INSERT INTO audit_chain VALUES ('" + forged + "', '" + tenant + "', '" + stream +
               "', " + std::to_string(seq) + ", '" + prev + "', '" +
               link_hash(prev, *canonical_content(row)) + "')");
        return forged;
    }

    std::string link_at(std::int64_t seq) {
        pqxx::connection c(url_);
        pqxx::nontransaction tx(c);
        return tx
            .exec_params(
                "SELECT audit_log_id::text FROM audit_chain WHERE tenant_id = $1::uuid "
                "AND stream = 'changes' AND seq = $2",
                tenant_.to_string(), seq)[0][0]
            .as<std::string>();
    }

    std::string chain_dump(const std::string& url) {
        pqxx::connection c(url);
        pqxx::nontransaction tx(c);
        return tx
            .exec(
                "SELECT string_agg(concat_ws(' ', audit_log_id, tenant_id, stream, seq, "
                "prev_hash, row_hash), E'\\n' ORDER BY tenant_id, stream, seq) FROM audit_chain")[0]
                                                                                                 [0]
            .as<std::string>();
    }

    // The one break of the tenant's changes chain.
    static const Break* break_of(const VerifyReport& report, Tampering kind) {
        for (const auto& found : report.breaks)
            if (found.kind == kind) return &found;
        return nullptr;
    }

    TenantId tenant_ = TenantId::generate();
    TenantId other_ = TenantId::generate();
    std::vector<UserId> users_;
    std::string url_;
    std::unique_ptr<eventlog::LogWriter> writer_;
    std::vector<eventlog::OutgoingRecord> records_;
};

TEST_F(AuditChainTest, TheProjectorChainsEveryRowAndTheTrailVerifies) {
    const auto rows = testing::scalar(url_, "SELECT count(*) FROM audit_logs");
    EXPECT_EQ(testing::scalar(url_, "SELECT count(*) FROM audit_chain"), rows);
    // Tenant chains run 1..n in log order; the platform's users are
    // chained per partition.
    EXPECT_EQ(testing::scalar(url_, "SELECT max(seq) FROM audit_chain WHERE tenant_id = '" +
                                        tenant_.to_string() + "' AND stream = 'changes'"),
              10);
    EXPECT_EQ(testing::scalar(url_, "SELECT count(*) FROM audit_chain WHERE tenant_id = '" +
                                        kPlatformTenant.to_string() +
                                        "' AND stream NOT LIKE 'changes.p_'"),
              0);
    const auto report = verify(true);
    EXPECT_TRUE(report.intact()) << to_text(report);
    EXPECT_EQ(static_cast<long>(report.links), rows);
    EXPECT_EQ(static_cast<long>(report.events), rows);
    const auto one = verify(false, tenant_.to_string());
    EXPECT_EQ(one.chains, 1u);
    EXPECT_EQ(one.links, 10u);
}

TEST_F(AuditChainTest, AnEditedRowIsNamed) {
    const auto id = link_at(5);  // a PatientUpdated
    tamper(
        "UPDATE audit_logs SET details = jsonb_set(details, '{changes,phone,new}', "
        "'\"0800 000 000\"') WHERE id = '" +
        id + "'");
    auto report = verify(false);
    ASSERT_EQ(report.breaks.size(), 1u) << to_text(report);
    EXPECT_EQ(report.breaks[0].kind, Tampering::edited) << to_text(report);
    EXPECT_EQ(report.breaks[0].seq, 5);
    EXPECT_EQ(report.breaks[0].audit_log_id, id);
    report = verify(true);
    const auto* mismatch = break_of(report, Tampering::log_mismatch);
    ASSERT_NE(mismatch, nullptr) << to_text(report);
    EXPECT_EQ(mismatch->audit_log_id, id);
    EXPECT_NE(mismatch->detail.find("details.changes.phone.new"), std::string::npos);
}

TEST_F(AuditChainTest, ADeletedRowIsNamed) {
    const auto id = link_at(5);
    tamper("DELETE FROM audit_chain WHERE audit_log_id = '" + id +
           "'; DELETE FROM audit_logs WHERE id = '" + id + "'");
    auto report = verify(false);
    ASSERT_EQ(report.breaks.size(), 1u) << to_text(report);
    EXPECT_EQ(report.breaks[0].kind, Tampering::deleted) << to_text(report);
    EXPECT_EQ(report.breaks[0].seq, 6);
    report = verify(true);
    const auto* missing = break_of(report, Tampering::missing_row);
    ASSERT_NE(missing, nullptr) << to_text(report);
    EXPECT_EQ(missing->audit_log_id, id);
}

TEST_F(AuditChainTest, TwoReorderedRowsAreNamed) {
    const std::string chain = "tenant_id = '" + tenant_.to_string() + "' AND stream = 'changes'";
    tamper("UPDATE audit_chain SET seq = -3 WHERE " + chain + " AND seq = 3; " +
           "UPDATE audit_chain SET seq = 3 WHERE " + chain + " AND seq = 4; " +
           "UPDATE audit_chain SET seq = 4 WHERE " + chain + " AND seq = -3");
    const auto report = verify(false);
    ASSERT_EQ(report.breaks.size(), 1u) << to_text(report);
    EXPECT_EQ(report.breaks[0].kind, Tampering::reordered) << to_text(report);
    EXPECT_EQ(report.breaks[0].seq, 3);
}

TEST_F(AuditChainTest, AForgedRowIsNamedWithOrWithoutALink) {
    // Without a link: a row no projector wrote.
    const auto forged = Uuid::random_v4().to_string();
    const std::string columns =
        "INSERT INTO audit_logs (id, tenant_id, action, entity_type, entity_id, details, "
        "created_at) VALUES ('";
    tamper(columns + forged + "', '" + tenant_.to_string() + "', 'PatientDeleted', 'patient', '" +
           Uuid::random_v4().to_string() + "', '{\"changes\": {}}', now())");
    auto report = verify(false);
    ASSERT_EQ(report.breaks.size(), 1u) << to_text(report);
    EXPECT_EQ(report.breaks[0].kind, Tampering::unlinked) << to_text(report);
    EXPECT_EQ(report.breaks[0].audit_log_id, forged);
    report = verify(true);
    const auto* not_in_log = break_of(report, Tampering::not_in_log);
    ASSERT_NE(not_in_log, nullptr) << to_text(report);
    EXPECT_EQ(not_in_log->audit_log_id, forged);

    // With a well-made link between seq 2 and 3, by someone who knows the
    // algorithm: the later links are moved up one.
    const auto between = Uuid::random_v4().to_string();
    tamper(columns + between + "', '" + tenant_.to_string() +
           "', 'PatientDeleted', 'patient', NULL, '{\"changes\": {}}', now())");
    pqxx::connection c(url_);
    pqxx::nontransaction tx(c);
    const auto read = tx.exec_params(
        "SELECT " + std::string(kAuditRowSelect) + " FROM audit_logs a WHERE a.id = $1::uuid",
        between)[0];
    AuditRow row = audit_row_at(read);
    const std::string chain = "tenant_id = '" + tenant_.to_string() + "' AND stream = 'changes'";
    const auto prev =
        tx.exec("SELECT row_hash FROM audit_chain WHERE " + chain + " AND seq = 2")[0][0]
            .as<std::string>();
    tamper("UPDATE audit_chain SET seq = -seq - 1 WHERE " + chain + " AND seq >= 3; " +
           "UPDATE audit_chain SET seq = -seq WHERE " + chain + " AND seq < 0; " +
           "INSERT INTO audit_chain VALUES ('" + between + "', '" + tenant_.to_string() +
           "', 'changes', 3, '" + prev + "', '" + link_hash(prev, *canonical_content(row)) + "')");
    report = verify(false, tenant_.to_string());
    const auto* inserted = break_of(report, Tampering::inserted);
    ASSERT_NE(inserted, nullptr) << to_text(report);
    EXPECT_EQ(inserted->seq, 3);
    EXPECT_EQ(inserted->audit_log_id, between);
}

// The access rows (stream "access") are derived again from the access
// stream's facts: an edited, a deleted and a forged one are named, the
// forged one even with a well-made link at the end of its chain, which the
// chain alone cannot tell from an honest longer trail.
TEST_F(AuditChainTest, AccessRowsAreComparedWithTheAccessStreamsFacts) {
    access_trail();
    const std::string chain = "tenant_id = '" + tenant_.to_string() + "' AND stream = 'access'";
    ASSERT_EQ(testing::scalar(url_, "SELECT count(*) FROM audit_chain WHERE " + chain), 3);
    auto report = verify(true);
    EXPECT_TRUE(report.intact()) << to_text(report);
    EXPECT_EQ(report.access_facts, 4u);
    const auto access_row = [&](std::int64_t seq) {
        pqxx::connection c(url_);
        return pqxx::nontransaction(c)
            .exec("SELECT audit_log_id::text FROM audit_chain WHERE " + chain +
                  " AND seq = " + std::to_string(seq))[0][0]
            .as<std::string>();
    };
    const auto of_kind = [](const VerifyReport& r, Tampering kind, const std::string& id) {
        for (const auto& found : r.breaks)
            if (found.kind == kind && found.audit_log_id == id) return &found;
        return static_cast<const Break*>(nullptr);
    };

    // Edited: the query that found the patient blanked out.
    const auto edited = access_row(1);
    tamper("UPDATE audit_logs SET details = jsonb_set(details, '{query}', '\"\"') WHERE id = '" +
           edited + "'");
    report = verify(true);
    const auto* mismatch = of_kind(report, Tampering::log_mismatch, edited);
    ASSERT_NE(mismatch, nullptr) << to_text(report);
    EXPECT_EQ(mismatch->stream, "access");
    EXPECT_NE(mismatch->detail.find("details.query"), std::string::npos) << mismatch->detail;

    // Deleted, with its link: the search that revealed two patients.
    const auto deleted = access_row(2);
    tamper("DELETE FROM audit_chain WHERE audit_log_id = '" + deleted +
           "'; DELETE FROM audit_logs WHERE id = '" + deleted + "'");
    report = verify(true);
    const auto* missing = of_kind(report, Tampering::missing_row, deleted);
    ASSERT_NE(missing, nullptr) << to_text(report);
    EXPECT_EQ(missing->stream, "access");

    // Forged: a view appended to the other tenant's access chain with a
    // well-made first link.
    const auto forged = forge_view(other_.to_string(), "access");
    EXPECT_EQ(verify(false, other_.to_string()).breaks.size(), 0u)
        << "a well-made link at the end passes the chain alone";
    report = verify(true);
    const auto* not_in_log = of_kind(report, Tampering::not_in_log, forged);
    ASSERT_NE(not_in_log, nullptr) << to_text(report);
    EXPECT_EQ(not_in_log->stream, "access");
}

// Refusals where no tenant exists are filed under the platform tenant, in
// the access chain of their partition ("access.p<N>"): a row forged there
// is judged against the access stream like one in a tenant's chain.
TEST_F(AuditChainTest, ARowForgedIntoThePlatformsAccessChainIsNotInTheLog) {
    access_trail();
    const auto forged = forge_view(kPlatformTenant.to_string(),
                                   chain_stream("access", kPlatformTenant.to_string(), 1));
    EXPECT_EQ(verify(false, kPlatformTenant.to_string()).breaks.size(), 0u)
        << "a well-made link passes the chain alone";
    const auto report = verify(true);
    const auto found =
        std::find_if(report.breaks.begin(), report.breaks.end(), [&](const Break& b) {
            return b.kind == Tampering::not_in_log && b.audit_log_id == forged;
        });
    ASSERT_NE(found, report.breaks.end()) << to_text(report);
    EXPECT_EQ(found->stream, "access.p1");
}

TEST_F(AuditChainTest, ProjectingTheSameLogAgainGivesTheIdenticalChain) {
    // Another database, its own log holding the same records, applied in
    // batches of three instead of all at once.
    const auto again = database("audit_chain_again");
    auto writer = eventlog::open_writer(log_config(again));
    for (const auto& record : records_) {
        ASSERT_TRUE(
            writer->append(eventlog::partition_for(record.key, kPartitions), {&record, 1}).ok());
    }
    project(again, 3);
    const auto first = chain_dump(url_);
    EXPECT_EQ(std::count(first.begin(), first.end(), '\n') + 1,
              testing::scalar(url_, "SELECT count(*) FROM audit_logs"));
    EXPECT_EQ(chain_dump(again), first);
}

// The real command service publishes every chain's head to the log; a
// chain then rewritten consistently in the database alone (a row edited
// and every link after it recomputed) still verifies on its own, but no
// longer against the heads the log holds.
TEST(AuditChainHeads, PublishedHeadsExposeAChainRewrittenInTheDatabaseAlone) {
    const auto url = testing::postgres().create_database("audit_chain_heads");
    const auto log = [&] {
        eventlog::LogConfig config;
        config.postgres = {url, kPartitions};
        return config;
    }();
    const auto port = testing::free_port();
    // Its start-up registers an operator and the built-in features: audit
    // rows to chain without a client.
    const std::map<std::string, std::string> env{
        {"CC_DATABASE_URL", url + " user=complexcare_command"},
        {"CC_LOG_BACKEND", "postgres"},
        {"CC_LOG_PARTITIONS", std::to_string(kPartitions)},
        {"CC_HTTP_PORT", std::to_string(port)},
        {"CC_LOG_LEVEL", "warn"},
        {"CC_JWT_SECRET", "audit-chain-secret-long-enough-for-hs256"},
        {"CC_PLATFORM_ADMINS", UserId::generate().to_string()},
        {"CC_CHAIN_HEAD_INTERVAL_MS", "20"}};
    testing::Process command(testing::binary("command-service/command-service"), env,
                             "/tmp/cc-audit-chain-heads.log");
    ASSERT_TRUE(testing::wait_until_ready(port, "/readyz", 30000));
    projector::Projector p({.database_url = url, .topic = "event_log"});
    const auto project = [&] {
        auto reader = eventlog::open_reader(
            log, {.group = "projector", .start_offset = [&](int i) { return p.checkpoint(i); }});
        const auto stopped = testing::catch_up(p, *reader);
        ASSERT_TRUE(stopped.empty()) << stopped;
    };
    project();
    const auto chains =
        testing::scalar(url, "SELECT count(DISTINCT (tenant_id, stream)) FROM audit_chain");
    ASSERT_GT(chains, 0);
    const auto heads_in_log = [&] {
        std::set<std::string> chains_published;
        auto reader = eventlog::open_reader(log, {});
        (void)eventlog::read_to_end(*reader, [&](const eventlog::LogRecord& record) -> Status {
            auto event = events::parse_envelope(record.value);
            if (event && event->event_type == "AuditChainHeadRecorded")
                chains_published.insert(event->tenant_id.to_string() + "/" +
                                        std::string(event->payload.at("stream").as_string()));
            return {};
        });
        return static_cast<long>(chains_published.size());
    };
    ASSERT_TRUE(testing::eventually([&] { return heads_in_log() >= chains; }))
        << heads_in_log() << " of " << chains << " chains published";
    EXPECT_EQ(command.terminate(), 0);
    project();
    pqxx::connection database(url);
    auto reader = eventlog::open_reader(log, {});
    auto report = verify(database, {}, reader.get());
    ASSERT_TRUE(report.ok()) << report.error().detail;
    EXPECT_TRUE(report->intact()) << to_text(*report);
    EXPECT_GE(static_cast<long>(report->heads), chains);

    // Rewrite the chain of the first published head: its first row edited,
    // every link recomputed with the published algorithm.
    pqxx::work tx(database);
    const auto chain = tx.exec(
        "SELECT c.tenant_id::text, c.stream FROM audit_chain c JOIN audit_logs a ON a.id = "
        "c.audit_log_id WHERE a.action = 'AuditChainHeadRecorded' ORDER BY a.created_at LIMIT 1")
                           [0];
    const auto tenant = chain[0].as<std::string>();
    const auto stream = chain[1].as<std::string>();
    tx.exec("SET LOCAL session_replication_role = replica");
    tx.exec_params(
        "UPDATE audit_logs SET user_agent = 'nobody' WHERE id = (SELECT audit_log_id FROM "
        "audit_chain WHERE tenant_id = $1::uuid AND stream = $2 AND seq = 1)",
        tenant, stream);
    std::string prev(kGenesisHash);
    for (const auto& row :
         tx.exec_params("SELECT c.seq, " + std::string(kAuditRowSelect) +
                            " FROM audit_chain c JOIN audit_logs a ON a.id = c.audit_log_id WHERE "
                            "c.tenant_id = $1::uuid AND c.stream = $2 ORDER BY c.seq",
                        tenant, stream)) {
        const auto text = [&](int i) {
            return row[i].is_null() ? std::nullopt : std::optional(row[i].as<std::string>());
        };
        const AuditRow audit{*text(1), *text(2), text(3), *text(4), *text(5),
                             text(6),  text(7),  text(8), text(9),  text(10)};
        const auto hash = link_hash(prev, *canonical_content(audit));
        tx.exec_params(
            "UPDATE audit_chain SET prev_hash = $3, row_hash = $4 WHERE tenant_id = $1::uuid AND "
            "stream = $2 AND seq = $5",
            tenant, stream, prev, hash, row[0].as<std::int64_t>());
        prev = hash;
    }
    tx.commit();
    report = verify(database, {});
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->intact()) << "consistent on its own: " << to_text(*report);

    // The command line, against the log: the rewritten chain's published head breaks.
    auto cli_env = env;
    cli_env["CC_DATABASE_URL"] = url;
    const std::string output = "/tmp/cc-audit-chain-verify-" + std::to_string(::getpid()) + ".json";
    std::filesystem::remove(output);
    testing::Process cli(testing::binary("cli/complexcare"), cli_env, output,
                         {"audit", "verify", "--against-log", "--json"});
    EXPECT_EQ(cli.wait(), 3) << "non-zero on a break";
    std::ifstream in(output);
    std::stringstream text;
    text << in.rdbuf();
    const auto json = boost::json::parse(text.str().substr(0, text.str().find('\n')));
    EXPECT_EQ(json.at("intact"), false);
    bool head_mismatch = false;
    for (const auto& found : json.at("breaks").as_array()) {
        if (found.at("kind") == "head_mismatch" && found.at("tenant_id") == tenant.c_str() &&
            found.at("stream") == stream.c_str())
            head_mismatch = true;
    }
    EXPECT_TRUE(head_mismatch) << text.str();
}

}  // namespace
}  // namespace cc::audit
