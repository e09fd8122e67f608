// Backup and restore, for real. The log is made by the real command service
// (the demo seed, through its API) on the PostgreSQL log and projected by the
// real projector. Then:
//  - `complexcare log export` / `log import` move it, and the access stream
//    the real query service recorded of a few reads, to the mock Kafka
//    cluster and back to a new PostgreSQL log; each copy, projected afresh
//    into a new database, has the same rows in every projected table, the
//    audit trail of changes and of reads included;
//  - pg_dump / pg_restore copy the database into a new one, identical table
//    by table, which then carries on: its log takes appends and its
//    projector resumes at the restored checkpoints;
//  - an import refuses what it cannot bring over faithfully, appending nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "cli/log_transfer.hpp"
#include "events/envelope.hpp"
#include "platform/auth/token.hpp"
#include "platform/eventlog/factory.hpp"
#include "projector/projector.hpp"
#include "tests/support/catch_up.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/process.hpp"

namespace cc::cli {
namespace {

constexpr int kPartitions = 4;
constexpr const char* kTopic = "complexcare.events";
const std::string kOutput = "/tmp/cc-backup-restore.log";  // what the tools print

using Env = std::map<std::string, std::string>;

int run(const std::string& program, const Env& env, const std::vector<std::string>& args) {
    testing::Process process(program, env, kOutput, args);
    return process.wait();
}
int complexcare(const Env& env, const std::vector<std::string>& args) {
    return run(testing::binary("cli/complexcare"), env, args);
}

eventlog::LogConfig postgres_log(const std::string& url) {
    eventlog::LogConfig config;
    config.postgres = {url, kPartitions};
    return config;
}
Env postgres_env(const std::string& url) {
    return {{"CC_LOG_BACKEND", "postgres"},
            {"CC_LOG_PARTITIONS", std::to_string(kPartitions)},
            {"CC_DATABASE_URL", url}};
}

std::int64_t log_size(const eventlog::LogConfig& config) {
    auto reader = eventlog::open_reader(config, {});
    auto ends = reader->end_offsets();
    EXPECT_TRUE(ends.ok());
    std::int64_t total = 0;
    for (const auto end : ends.ok() ? *ends : std::vector<std::int64_t>{}) total += end;
    return total;
}

// Projects `log` and then its access stream into the database at `url`
// with the real projector, from their checkpoints to their ends.
void project(const eventlog::LogConfig& log, const std::string& url) {
    for (const bool access : {false, true}) {
        const auto stream = access ? log.access_stream() : log;
        projector::Projector p(projector::ProjectorOptions{
            .database_url = url, .topic = stream.topic(), .access_stream = access});
        auto reader = eventlog::open_reader(
            stream, {.group = "", .start_offset = [&](int i) { return p.checkpoint(i); }});
        const auto stopped = testing::catch_up(p, *reader);
        ASSERT_TRUE(stopped.empty()) << stopped;
    }
}

// Per table: its row count and an md5 of its rows as text, sorted, over
// every column but those `skip` names ("table.column", or "table" for all).
std::map<std::string, std::string> checksums(const std::string& url,
                                             const std::set<std::string>& skip = {}) {
    pqxx::connection connection(url);
    pqxx::read_transaction tx(connection);
    std::map<std::string, std::string> out;
    for (const auto& table :
         tx.exec("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                 "AND table_type = 'BASE TABLE'")) {
        const auto name = table[0].as<std::string>();
        if (skip.contains(name)) continue;
        std::string columns;
        for (const auto& column : tx.exec_params(
                 "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                 "'public' AND table_name = $1 ORDER BY ordinal_position",
                 name)) {
            const auto column_name = column[0].as<std::string>();
            if (skip.contains(name + "." + column_name)) continue;
            columns += (columns.empty() ? "" : ", ") + tx.quote_name(column_name);
        }
        const auto row = tx.exec1(
            "SELECT count(*), coalesce(md5(string_agg(r::text, E'\\n' ORDER BY r::text)), '') "
            "FROM (SELECT " +
            columns + " FROM " + tx.quote_name(name) + ") r");
        out[name] = row[0].as<std::string>() + " rows, md5 " + row[1].as<std::string>();
    }
    return out;
}

// Every projected table, audit_logs included. Left out: the log itself, the
// migrations' own bookkeeping and the generations' control tables (not
// projections: its times are the migration's), and what differs by
// where and when a projection ran: the checkpoints' log name and times, a
// dead letter's log name, serial id and time. The platform tenant's row is
// made by a migration at its own time, so its times differ too.
std::map<std::string, std::string> projections(const std::string& url) {
    return checksums(url,
                     // The logs themselves, compared record by record elsewhere.
                     {"event_log", "event_log_partitions", "event_log_writer", "access_log",
                      "access_log_partitions", "schema_migrations", "projection_generations",
                      "projection_generation_streams", "projection_checkpoints.topic",
                      "projection_checkpoints.updated_at", "dead_letters.id", "dead_letters.topic",
                      "dead_letters.created_at", "tenants.created_at", "tenants.updated_at"});
}

// The customer tenants' times come from their events: compared on their own.
std::string tenant_times(const std::string& url) {
    pqxx::connection connection(url);
    pqxx::read_transaction tx(connection);
    return tx
        .exec1(
            "SELECT count(*) || ' ' || coalesce(md5(string_agg(id || ' ' || created_at || ' ' "
            "|| updated_at, ',' ORDER BY id)), '') FROM tenants WHERE id <> "
            "'00000000-0000-0000-0000-000000000000'")[0]
        .as<std::string>();
}

// The record lines of an export file (its sections' headers dropped),
// sorted: equal for two files that hold the same records at the same positions.
std::vector<std::string> records_of(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line))
        if (!is_header_line(line)) lines.push_back(line);
    std::sort(lines.begin(), lines.end());
    return lines;
}

// The record lines of one stream's section of an export file, in file order.
std::vector<std::string> section_of(const std::string& path, std::string_view stream) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    std::string line;
    bool inside = false;
    while (std::getline(in, line)) {
        if (is_header_line(line)) {
            const auto header = decode_header(line);
            inside = header.ok() && header->stream == stream;
        } else if (inside) {
            lines.push_back(line);
        }
    }
    return lines;
}

class BackupRestore : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = "/tmp/cc-backup-restore-" + std::to_string(::getpid());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        source_ = testing::postgres().create_database("backup_source");
        const auto admin = UserId::generate();
        const auto port = testing::free_port();
        const std::string secret = "backup-restore-secret-long-enough-for-hs256";
        const auto command = start_service("command-service/command-service", "complexcare_command",
                                           port, admin, secret, {{"CC_OVERDUE_INTERVAL_MS", "0"}});
        ASSERT_TRUE(testing::wait_until_ready(port, "/readyz", 30000));
        ASSERT_EQ(
            complexcare({{"CC_JWT_SECRET", secret}},
                        {"seed", "--command-url", "http://127.0.0.1:" + std::to_string(port),
                         "--operator", admin.to_string(), "--tenants", "2", "--carers", "3",
                         "--patients", "4", "--days", "2", "--tasks", "5", "--plain", "true"}),
            0)
            << "the seed failed; see " << kOutput;
        record_what_the_seed_leaves_out(port, admin, secret);
        EXPECT_EQ(command->terminate(), 0);
        project(postgres_log(source_), source_);
        read_as_auditors_do(admin, secret);
        project(postgres_log(source_), source_);
        source_events_ = testing::scalar(source_, "SELECT count(*) FROM event_log");
        source_access_ = testing::scalar(source_, "SELECT count(*) FROM access_log");
    }

    // A service on the source database's PostgreSQL log, as `role`.
    static std::unique_ptr<testing::Process> start_service(const std::string& binary,
                                                           const std::string& role, int port,
                                                           const UserId& admin,
                                                           const std::string& secret,
                                                           Env extra = {}) {
        extra.insert({{"CC_DATABASE_URL", source_ + " user=" + role},
                      {"CC_LOG_BACKEND", "postgres"},
                      {"CC_LOG_PARTITIONS", std::to_string(kPartitions)},
                      {"CC_HTTP_PORT", std::to_string(port)},
                      {"CC_JWT_SECRET", secret},
                      {"CC_PLATFORM_ADMINS", admin.to_string()},
                      {"CC_LOG_LEVEL", "warn"},
                      {"CC_BLOB_DIR", dir_ + "/blobs"}});
        return std::make_unique<testing::Process>(testing::binary(binary), extra, kOutput);
    }
    // The Authorization header of the platform administrator.
    static Env as_operator(const UserId& admin, const std::string& secret) {
        auth::AuthConfig auth;
        auth.hs256_secret = secret;
        return {
            {"Authorization", "Bearer " + auth::mint_hs256(auth, admin, std::chrono::hours(1))}};
    }

    // Reads through the real query service, which records each on the
    // access stream before it answers: a view, a search and a refusal.
    static void read_as_auditors_do(const UserId& admin, const std::string& secret) {
        const auto port = testing::free_port();
        const auto query =
            start_service("query-service/query-service", "complexcare_query", port, admin, secret);
        ASSERT_TRUE(testing::wait_until_ready(port, "/readyz", 30000));
        const auto as_admin = as_operator(admin, secret);
        EXPECT_EQ(testing::http_request(port, "GET", patient_, "", as_admin).status, 200);
        EXPECT_EQ(testing::http_request(port, "GET", tenant_ + "/patients", "", as_admin).status,
                  200);
        EXPECT_EQ(testing::http_request(port, "GET", patient_, "", {}).status, 401);
        EXPECT_EQ(query->terminate(), 0);
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

    // The aggregates the demo seed does not make (a document, an invoice, a
    // clinical note, a policy, a risk assessment, a tenant's feature), so
    // that every projected table has rows to compare.
    static void record_what_the_seed_leaves_out(int port, const UserId& admin,
                                                const std::string& secret) {
        const auto operator_headers = as_operator(admin, secret);
        const auto send = [&](const std::string& method, const std::string& target,
                              const std::string& body, Env headers = {}) {
            headers.insert(operator_headers.begin(), operator_headers.end());
            const auto answer = testing::http_request(port, method, target, body, headers);
            EXPECT_TRUE(answer.status == 200 || answer.status == 201)
                << method << " " << target << ": " << answer.status << " " << answer.body;
            const auto json = answer.json();
            const auto* id = json.is_object() ? json.as_object().if_contains("id") : nullptr;
            return id != nullptr && id->is_string() ? std::string(id->as_string()) : "";
        };
        const auto tenant =
            "/v1/tenants/" + send("POST", "/v1/tenants", R"({"name":"Backup","slug":"backup"})");
        tenant_ = tenant;
        send("PUT", tenant + "/members/" + admin.to_string(), R"({"role":"admin"})");
        send("POST", "/v1/features", R"({"name":"backup-reports"})");
        send("PUT", tenant + "/features/backup-reports", R"({"is_enabled":true})");
        const auto patient =
            send("POST", tenant + "/patients", R"({"first_name":"Ada","last_name":"Lovelace"})");
        patient_ = tenant + "/patients/" + patient;
        const auto nurse = send("POST", tenant + "/care-professionals",
                                R"({"first_name":"Mary","last_name":"Seacole","role":"Nurse"})");
        send("POST", tenant + "/documents?name=consent.txt&patient_id=" + patient, "consent given",
             {{"Content-Type", "text/plain"}});
        const auto invoice = send("POST", tenant + "/invoices",
                                  R"({"amount":"120.50","issue_date":"2025-06-01",)"
                                  R"("due_date":"2025-07-01","patient_id":")" +
                                      patient + R"("})");
        send("POST", tenant + "/invoices/" + invoice + "/issue", "{}");
        send("POST", tenant + "/clinical-note-categories", R"({"name":"General"})");
        send("POST", tenant + "/clinical-notes",
             R"({"patient_id":")" + patient + R"(","care_professional_id":")" + nurse +
                 R"(","note_date":"2025-06-01T09:00:00Z","content":"Settled night"})");
        send("POST", tenant + "/policies",
             R"({"title":"Safeguarding","content":"Who to call","policy_version":"1.0",)"
             R"("effective_date":"2025-06-01"})");
        send("POST", tenant + "/risk-assessments",
             R"({"title":"Falls","description":"Unsteady on stairs","risk_level":"medium",)"
             R"("assessment_date":"2025-06-01"})");
    }

    static inline std::string dir_;
    static inline std::string source_;
    static inline long source_events_ = 0;
    static inline long source_access_ = 0;  // access facts of the reads
    static inline std::string tenant_;      // "/v1/tenants/<id>"
    static inline std::string patient_;     // its patient's item path
};

TEST_F(BackupRestore, ALogMovedToKafkaAndBackProjectsIdentically) {
    ASSERT_GT(source_events_, 100) << "the seed made a log worth moving";
    ASSERT_EQ(source_access_, 3) << "a view, a search and a refusal";
    ASSERT_EQ(testing::scalar(source_, "SELECT count(*) FROM audit_logs"),
              source_events_ + source_access_);
    for (const auto& [table, rows] : projections(source_)) {
        if (table != "dead_letters") {
            EXPECT_FALSE(rows.starts_with("0 rows")) << table << " has nothing to compare";
        }
    }
    const auto exported = dir_ + "/postgres.ndjson";
    ASSERT_EQ(complexcare(postgres_env(source_), {"log", "export", "--out", exported}), 0);
    // The access stream is exported beside the log: the reads' records.
    const auto access = section_of(exported, kAccessStream);
    ASSERT_EQ(access.size(), static_cast<std::size_t>(source_access_));
    const auto fact_of = [&](std::string_view event_type) {
        return std::count_if(access.begin(), access.end(), [&](const std::string& line) {
            return line.find("\"event_type\":\"" + std::string(event_type) + "\"") !=
                   std::string::npos;
        });
    };
    EXPECT_EQ(fact_of("RecordViewed"), 1);
    EXPECT_EQ(fact_of("RecordsSearched"), 1);
    EXPECT_EQ(fact_of("AccessDenied"), 1);
    EXPECT_EQ(section_of(exported, kDomainStream).size(), static_cast<std::size_t>(source_events_));

    eventlog::KafkaMockCluster cluster(1, kTopic, kPartitions);
    eventlog::LogConfig kafka;
    kafka.backend = eventlog::Backend::kafka;
    kafka.kafka.bootstrap_servers = cluster.bootstrap_servers();
    kafka.kafka.topic = kTopic;
    const auto kafka_projection = testing::postgres().create_database("backup_kafka_projection");
    const Env kafka_env{{"CC_LOG_BACKEND", "kafka"},
                        {"CC_KAFKA_BOOTSTRAP", cluster.bootstrap_servers()},
                        {"CC_KAFKA_TOPIC", kTopic},
                        {"CC_LOG_PARTITIONS", std::to_string(kPartitions)},
                        {"CC_DATABASE_URL", kafka_projection}};
    ASSERT_EQ(complexcare(kafka_env, {"log", "import", "--in", exported}), 0) << "see " << kOutput;
    EXPECT_EQ(log_size(kafka), source_events_);
    EXPECT_EQ(log_size(kafka.access_stream()), source_access_);
    project(kafka, kafka_projection);
    EXPECT_EQ(projections(kafka_projection), projections(source_));

    EXPECT_EQ(tenant_times(kafka_projection), tenant_times(source_));
    EXPECT_EQ(testing::scalar(kafka_projection, "SELECT count(*) FROM dead_letters"), 0);

    // Back again, into a new PostgreSQL log: the same records at the same
    // positions, byte for byte, and once more the same projections.
    const auto back = dir_ + "/kafka.ndjson";
    ASSERT_EQ(complexcare(kafka_env, {"log", "export", "--out", back}), 0);
    EXPECT_EQ(records_of(back), records_of(exported));
    const auto again = testing::postgres().create_database("backup_postgres_again");
    ASSERT_EQ(complexcare(postgres_env(again), {"log", "import", "--in", back}), 0);
    EXPECT_EQ(checksums(again, {"event_log.appended_at"}).at("event_log"),
              checksums(source_, {"event_log.appended_at"}).at("event_log"));
    project(postgres_log(again), again);
    EXPECT_EQ(projections(again), projections(source_));
    EXPECT_EQ(tenant_times(again), tenant_times(source_));
}

TEST_F(BackupRestore, PgDumpRestoredIntoAFreshDatabaseIsIdenticalAndCarriesOn) {
    const auto dump = dir_ + "/complexcare.dump";
    ASSERT_EQ(run(testing::pg_tool("pg_dump"), {},
                  {"--format=custom", "--file=" + dump, "--dbname=" + source_}),
              0);
    const auto restored = testing::postgres().create_database("backup_restored", false);
    ASSERT_EQ(
        run(testing::pg_tool("pg_restore"), {}, {"--exit-on-error", "--dbname=" + restored, dump}),
        0)
        << "see " << kOutput;
    // Everything, the log and the bookkeeping included, every column.
    EXPECT_EQ(checksums(restored), checksums(source_));

    // It carries on: the log takes the next event at the next offset, and the
    // projector resumes from the restored checkpoints (from zero it would
    // apply every event again and fail on the rows already there).
    auto writer = eventlog::open_writer(postgres_log(restored));
    events::Envelope e;
    e.event_id = EventId::generate();
    e.event_type = "TenantCreated";
    e.tenant_id = TenantId::generate();
    e.aggregate_type = "tenant";
    e.aggregate_id = e.tenant_id.uuid();
    e.aggregate_version = 1;
    e.occurred_at = Timestamp::now();
    e.payload = {{"name", "After the restore"}, {"slug", "after-the-restore"}};
    const auto key = e.tenant_id.to_string();
    eventlog::OutgoingRecord record{key, events::serialize(e), {}};
    const int partition = eventlog::partition_for(key, kPartitions);
    const auto before = testing::scalar(
        restored, "SELECT next_offset FROM event_log_partitions WHERE partition = " +
                      std::to_string(partition));
    const auto appended = writer->append(partition, {&record, 1});
    ASSERT_TRUE(appended.ok()) << appended.error().detail;
    EXPECT_EQ(appended->front(), before);
    project(postgres_log(restored), restored);
    EXPECT_EQ(testing::scalar(restored, "SELECT count(*) FROM audit_logs"),
              source_events_ + source_access_ + 1);
    EXPECT_EQ(testing::scalar(restored,
                              "SELECT count(*) FROM tenants WHERE slug = "
                              "'after-the-restore'"),
              1);
    EXPECT_EQ(testing::scalar(restored, "SELECT count(*) FROM dead_letters"), 0);
    // The services' roles keep their grants (the roles themselves are the cluster's).
    EXPECT_EQ(
        testing::scalar(restored + " user=complexcare_query", "SELECT count(*) FROM patients"),
        testing::scalar(source_, "SELECT count(*) FROM patients"));
}

TEST_F(BackupRestore, AnImportRefusesWhatItCannotBringOverAndAppendsNothing) {
    const auto file = dir_ + "/refusals.ndjson";
    {
        auto reader = eventlog::open_reader(postgres_log(source_), {});
        const ExportSection domain{std::string(kDomainStream), reader.get(), "event_log"};
        const auto exported = export_log({&domain, 1}, "postgres", file);
        ASSERT_TRUE(exported.ok()) << exported.error().detail;
        EXPECT_EQ(exported->records, source_events_);
    }
    // Rewrites the file's records through `edit` into a new file.
    const auto edited = [&](const std::string& name, auto edit) {
        const auto path = dir_ + "/" + name;
        std::ifstream in(file);
        std::ofstream out(path);
        std::string line;
        std::getline(in, line);
        out << line << "\n";
        std::vector<eventlog::LogRecord> records;
        while (std::getline(in, line)) records.push_back(*decode_record(line));
        edit(records);
        for (const auto& r : records) out << encode_record(r) << "\n";
        return path;
    };
    const auto refusal = [&](const std::string& path, const std::string& url, int partitions,
                             OffsetPolicy offsets = OffsetPolicy::preserve) {
        auto config = postgres_log(url);
        config.postgres.partitions = partitions;
        auto writer = eventlog::open_writer(config);
        auto target = eventlog::open_reader(config, {});
        const auto size = log_size(config);
        const auto imported =
            import_log(path, {{std::string(kDomainStream), {writer.get(), target.get()}}},
                       {.offsets = offsets});
        EXPECT_EQ(log_size(config), size) << "a refused import appends nothing";
        return imported.ok() ? std::string("accepted") : imported.error().type;
    };
    const auto fresh = [](const std::string& name) {
        return testing::postgres().create_database(name);
    };

    EXPECT_EQ(refusal(file, source_, kPartitions), "target-not-empty");
    EXPECT_EQ(refusal(file, fresh("backup_eight_partitions"), 8), "partition-count-mismatch");
    const auto truncated = edited("truncated.ndjson", [](auto& records) { records.pop_back(); });
    EXPECT_EQ(refusal(truncated, fresh("backup_truncated"), kPartitions), "bad-log-file");
    const auto misplaced = edited("misplaced.ndjson", [](auto& records) {
        auto& r = records.back();
        while (eventlog::partition_for(r.key, kPartitions) == r.partition) r.key += "x";
    });
    EXPECT_EQ(refusal(misplaced, fresh("backup_misplaced"), kPartitions), "misplaced-record");

    // A gap in a partition's offsets (as a Kafka log's transaction markers
    // make): its offsets cannot be kept, but the records can be renumbered.
    const auto gap = edited("gap.ndjson", [](auto& records) {
        for (auto& r : records)
            if (r.partition == records.back().partition && r.offset > 0) r.offset += 1;
    });
    EXPECT_EQ(refusal(gap, fresh("backup_gap"), kPartitions), "offset-gap");
    const auto renumbered = fresh("backup_renumbered");
    auto config = postgres_log(renumbered);
    auto writer = eventlog::open_writer(config);
    auto target = eventlog::open_reader(config, {});
    const auto imported =
        import_log(gap, {{std::string(kDomainStream), {writer.get(), target.get()}}},
                   {.offsets = OffsetPolicy::renumber, .batch = 7});
    ASSERT_TRUE(imported.ok()) << imported.error().detail;
    EXPECT_EQ(imported->records, source_events_);
    // The access stream, in a file of its own (log export --stream access),
    // goes only where an access stream is given.
    const auto access_file = dir_ + "/access.ndjson";
    {
        auto reader = eventlog::open_reader(postgres_log(source_).access_stream(), {});
        const ExportSection access{std::string(kAccessStream), reader.get(), "access_log"};
        const auto exported = export_log({&access, 1}, "postgres", access_file);
        ASSERT_TRUE(exported.ok()) << exported.error().detail;
        EXPECT_EQ(exported->stream_records.at(std::string(kAccessStream)), source_access_);
    }
    EXPECT_EQ(refusal(access_file, fresh("backup_no_access_target"), kPartitions), "no-target");
    auto access_writer = eventlog::open_writer(config.access_stream());
    auto access_target = eventlog::open_reader(config.access_stream(), {});
    const auto access_imported =
        import_log(access_file,
                   {{std::string(kAccessStream), {access_writer.get(), access_target.get()}}}, {});
    ASSERT_TRUE(access_imported.ok()) << access_imported.error().detail;
    EXPECT_EQ(access_imported->records, source_access_);
    project(config, renumbered);
    EXPECT_EQ(projections(renumbered), projections(source_));
}

}  // namespace
}  // namespace cc::cli
