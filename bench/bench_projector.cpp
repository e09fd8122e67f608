// Projector catch-up against a COPY of the same rows, in one run on one
// server (issue 12, target 2). Prints figures; asserts nothing.
//
//   bench_projector [events] [batch] [partitions] [workers]
//
// Events are made by the real deciders, as the command service would append
// them: tenants with staff, then patients with their care plans,
// medications, visits, notes and tasks, each taken through some of its
// lifecycle (updates, actions) in phases, as a seeded agency's would be.
// The identity rows and the staff are projected first (not timed); the
// timed catch-up then applies the rest. The same rows, read back, are loaded
// with COPY into empty clones of their tables (indexes included, foreign
// keys not) in one transaction: the floor the projector is measured against.
//
// A private PostgreSQL is started unless CC_DATABASE_URL names an empty
// database (it is migrated first).
#include <libpq-fe.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <vector>

#include "command-service/aggregate/commands.hpp"
#include "command-service/write_model.hpp"
#include "model/aggregates/appointments.hpp"
#include "model/aggregates/care.hpp"
#include "model/aggregates/care_plans.hpp"
#include "model/aggregates/clinical.hpp"
#include "model/aggregates/identity.hpp"
#include "model/aggregates/medications.hpp"
#include "model/aggregates/tasks.hpp"
#include "platform/eventlog/factory.hpp"
#include "platform/pg/migrator.hpp"
#include "projector/projector.hpp"
#include "tests/support/catch_up.hpp"
#include "tests/support/envelope_of.hpp"
#include "tests/support/forwarding_reader.hpp"
#include "tests/support/postgres_server.hpp"

namespace cc {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// The aggregates whose rows the timed catch-up writes, and the COPY loads.
const model::Aggregate* const kTimed[] = {&model::kPatient,      &model::kCarePlan,
                                          &model::kMedication,   &model::kAppointment,
                                          &model::kClinicalNote, &model::kTask};

struct Staff {
    TenantId tenant;
    UserId manager;
    UserId carer_user;
    std::vector<std::string> carers;
    std::string category;
};

// Decides commands against a write model and keeps their envelopes, in log
// order, under the command service's partition key.
class EventMaker {
  public:
    explicit EventMaker(int partitions) : partitions_(partitions) {}

    void identity(std::string_view type, std::string_view aggregate, const Uuid& id,
                  const TenantId& tenant, boost::json::object payload) {
        keep(testing::envelope_of(type, aggregate, id, tenant, 1, std::move(payload)));
    }

    std::string create(const Staff& s, const model::Aggregate& a, const std::string& body) {
        const auto id = Uuid::random_v4();
        record(s, aggregate::decide(model_, aggregate::Create{target(s, a, id), parse(body)}));
        return id.to_string();
    }
    void patch(const Staff& s, const model::Aggregate& a, const std::string& id,
               const std::string& body) {
        record(s, aggregate::decide(model_, aggregate::Patch{target(s, a, *Uuid::parse(id)),
                                                             std::nullopt, parse(body)}));
    }
    void act(const Staff& s, const model::Aggregate& a, const std::string& id,
             std::string_view action, const std::string& body = "{}") {
        record(s, aggregate::decide(model_,
                                    aggregate::Act{target(s, a, *Uuid::parse(id)), a.action(action),
                                                   std::nullopt, parse(body)}));
    }

    std::size_t size() const { return made_; }
    // The events made since the last call, by partition.
    std::map<int, std::vector<eventlog::OutgoingRecord>> take() { return std::move(pending_); }

  private:
    aggregate::Target target(const Staff& s, const model::Aggregate& a, const Uuid& id) const {
        return {&a, s.tenant, id, s.manager, now_};
    }
    static json::Body parse(const std::string& text) {
        auto body = json::parse_body(text);
        if (!body) throw std::runtime_error("bad body " + text);
        return std::move(*body);
    }
    void record(const Staff& s, const Result<domain::Decision>& decision) {
        if (!decision) throw std::runtime_error("decision refused: " + decision.error().detail);
        for (const auto& pending : decision->events) {
            auto e = testing::envelope_of(pending);
            e.actor = s.manager;
            e.request.ip = "10.0.0.1";
            e.request.user_agent = "bench_projector";
            keep(std::move(e));
        }
    }
    void keep(events::Envelope e) {
        const auto key =
            e.tenant_id == kPlatformTenant ? e.aggregate_id.to_string() : e.tenant_id.to_string();
        const int partition = eventlog::partition_for(key, partitions_);
        model_.apply(e, eventlog::Position{partition, offset_++});
        pending_[partition].push_back({key, events::serialize(e), {}});
        ++made_;
    }

    int partitions_;
    command::WriteModel model_;
    std::int64_t offset_ = 0;
    std::size_t made_ = 0;
    Timestamp now_ = Timestamp::now();
    std::map<int, std::vector<eventlog::OutgoingRecord>> pending_;
};

std::vector<Staff> make_staff(EventMaker& maker, int tenants) {
    std::vector<Staff> out;
    for (int t = 0; t < tenants; ++t) {
        Staff s{TenantId::generate(), UserId::generate(), UserId::generate(), {}, {}};
        maker.identity(
            model::kTenant.created, model::kTenant.name, s.tenant.uuid(), s.tenant,
            {{"name", "Agency " + std::to_string(t)}, {"slug", "bench-" + s.tenant.to_string()}});
        for (const auto& user : {s.manager, s.carer_user}) {
            maker.identity(model::kUser.created, model::kUser.name, user.uuid(), kPlatformTenant,
                           {{"email", user.to_string() + "@bench.example.org"}, {"name", "Staff"}});
            maker.identity(model::kMembership.created, model::kMembership.name, Uuid::random_v4(),
                           s.tenant, {{"user_id", user.to_string()}, {"role", "manager"}});
        }
        for (int c = 0; c < 8; ++c) {
            s.carers.push_back(maker.create(s, model::kCareProfessional,
                                            R"({"first_name":"Carer","last_name":")" +
                                                std::to_string(c) + R"(","role":"Nurse"})"));
        }
        s.category = maker.create(s, model::kClinicalNoteCategory, R"({"name":"General"})");
        out.push_back(std::move(s));
    }
    return out;
}

// About 15 events a patient, in the phases a seeded agency goes through.
void make_care(EventMaker& maker, const std::vector<Staff>& staff, std::size_t events) {
    struct Patient {
        const Staff* staff;
        std::string id, plan, medication, visit, note, task;
        int slot;
    };
    const std::size_t count = std::max<std::size_t>(1, events / 15);
    std::vector<Patient> patients;
    for (std::size_t i = 0; i < count; ++i) {
        const auto& s = staff[i % staff.size()];
        patients.push_back({&s, {}, {}, {}, {}, {}, {}, static_cast<int>(i / staff.size())});
    }
    const auto hour = [](int slot, int base_day) {
        char text[32];
        std::snprintf(text, sizeof text, "2031-%02d-%02dT%02d:00:00Z",
                      1 + (base_day + slot / 24 / 28), 1 + (slot / 24) % 28, slot % 24);
        return std::string(text);
    };
    const auto half_past = [&](int slot, int base_day) {
        auto text = hour(slot, base_day);
        text.replace(14, 2, "30");
        return text;
    };
    for (auto& p : patients) {
        p.id = maker.create(*p.staff, model::kPatient,
                            R"({"first_name":"Pat","last_name":"Number )" + std::to_string(p.slot) +
                                R"(","date_of_birth":"1940-02-03","address":"1 High Street"})");
        // A quarter are corrected at once: create and update in one batch.
        if (p.slot % 4 == 0) {
            maker.patch(*p.staff, model::kPatient, p.id, R"({"phone":"01632960001"})");
        }
    }
    for (auto& p : patients) {
        const auto& s = *p.staff;
        p.plan = maker.create(
            s, model::kCarePlan,
            R"({"patient_id":")" + p.id + R"(","title":"Daily living","start_date":"2031-01-01"})");
        p.medication = maker.create(
            s, model::kMedication,
            R"({"patient_id":")" + p.id +
                R"(","name":"Paracetamol","dosage":"500 mg","frequency":"four times daily",)"
                R"("start_date":"2026-01-05"})");
        p.visit = maker.create(s, model::kAppointment,
                               R"({"patient_id":")" + p.id + R"(","care_professional_id":")" +
                                   s.carers[static_cast<std::size_t>(p.slot) % s.carers.size()] +
                                   R"(","start_time":")" + hour(p.slot, 0) + R"(","end_time":")" +
                                   half_past(p.slot, 0) + R"(","location":"Home"})");
        p.task = maker.create(s, model::kTask,
                              R"({"title":"Weekly weigh-in","patient_id":")" + p.id +
                                  R"(","due_date":"2031-07-01T17:00:00Z"})");
    }
    for (auto& p : patients) {
        const auto& s = *p.staff;
        maker.act(s, model::kCarePlan, p.plan, "activate");
        maker.act(s, model::kAppointment, p.visit, "confirm");
        p.note = maker.create(s, model::kClinicalNote,
                              R"({"patient_id":")" + p.id + R"(","care_professional_id":")" +
                                  s.carers[static_cast<std::size_t>(p.slot) % s.carers.size()] +
                                  R"(","note_date":"2026-01-01T09:00:00Z","content":"Settled",)"
                                  R"("category_id":")" +
                                  s.category + "\"}");
        maker.act(s, model::kTask, p.task, "assign",
                  R"({"assigned_to":")" + s.carer_user.to_string() + "\"}");
    }
    for (auto& p : patients) {
        const auto& s = *p.staff;
        maker.patch(s, model::kPatient, p.id, R"({"address":"2 High Street"})");
        maker.act(s, model::kAppointment, p.visit, "reschedule",
                  R"({"start_time":")" + hour(p.slot, 3) + R"(","end_time":")" +
                      half_past(p.slot, 3) + "\"}");
        maker.act(s, model::kTask, p.task, "start");
        if (p.slot % 3 == 0) {
            maker.act(s, model::kClinicalNote, p.note, "amend",
                      R"({"content":"Settled, ate well","reason":"detail"})");
        }
    }
    for (auto& p : patients) {
        const auto& s = *p.staff;
        maker.patch(s, model::kAppointment, p.visit, R"({"notes":"Key safe 1234"})");
        maker.patch(s, model::kCarePlan, p.plan, R"({"title":"Daily living and falls"})");
        maker.act(s, model::kTask, p.task, "complete");
        if (p.slot % 5 == 0) {
            maker.act(s, model::kAppointment, p.visit, "cancel", R"({"reason":"In hospital"})");
        }
    }
}

void append(eventlog::LogWriter& writer, std::map<int, std::vector<eventlog::OutgoingRecord>> all) {
    for (auto& [partition, records] : all) {
        for (std::size_t at = 0; at < records.size(); at += 2000) {
            const auto n = std::min<std::size_t>(2000, records.size() - at);
            if (!writer.append(partition, std::span(records).subspan(at, n)).ok())
                throw std::runtime_error("append failed");
        }
    }
}

// Counts what the projector is handed: records read again after a wait or
// a failed batch show up as more records than events.
class CountingReader final : public testing::ForwardingReader {
  public:
    using ForwardingReader::ForwardingReader;
    Result<std::vector<eventlog::LogRecord>> poll(std::size_t max_records,
                                                  std::chrono::milliseconds timeout) override {
        auto records = ForwardingReader::poll(max_records, timeout);
        if (records) {
            ++polls;
            delivered += records->size();
        }
        return records;
    }
    void seek(int partition, std::int64_t offset) override {
        ++seeks;
        ForwardingReader::seek(partition, offset);
    }

    std::size_t polls = 0;
    std::size_t delivered = 0;
    std::size_t seeks = 0;
};

// libpq directly: COPY text in and out, with nothing between.
struct Pq {
    explicit Pq(const std::string& conninfo) : conn(PQconnectdb(conninfo.c_str())) {
        if (PQstatus(conn) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn));
        exec("SET client_min_messages = warning");
    }
    ~Pq() { PQfinish(conn); }
    void exec(const std::string& sql) {
        PGresult* r = PQexec(conn, sql.c_str());
        const auto status = PQresultStatus(r);
        PQclear(r);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
            throw std::runtime_error(sql + ": " + PQerrorMessage(conn));
    }
    std::vector<std::string> column(const std::string& sql) {
        PGresult* r = PQexec(conn, sql.c_str());
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            PQclear(r);
            throw std::runtime_error(sql + ": " + PQerrorMessage(conn));
        }
        std::vector<std::string> out;
        for (int i = 0; i < PQntuples(r); ++i) out.emplace_back(PQgetvalue(r, i, 0));
        PQclear(r);
        return out;
    }
    std::string copy_out(const std::string& query) {
        PGresult* r = PQexec(conn, ("COPY (" + query + ") TO STDOUT").c_str());
        PQclear(r);
        std::string out;
        char* line = nullptr;
        int n = 0;
        while ((n = PQgetCopyData(conn, &line, 0)) > 0) {
            out.append(line, static_cast<std::size_t>(n));
            PQfreemem(line);
        }
        finish("copy out");
        return out;
    }
    void copy_in(const std::string& table, const std::string& data) {
        PGresult* r = PQexec(conn, ("COPY " + table + " FROM STDIN").c_str());
        PQclear(r);
        if (PQputCopyData(conn, data.data(), static_cast<int>(data.size())) != 1 ||
            PQputCopyEnd(conn, nullptr) != 1)
            throw std::runtime_error(PQerrorMessage(conn));
        finish("copy in " + table);
    }
    void finish(const std::string& what) {
        while (PGresult* r = PQgetResult(conn)) {
            const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
            PQclear(r);
            if (!ok) throw std::runtime_error(what + ": " + PQerrorMessage(conn));
        }
    }
    PGconn* conn;
};

// CPU seconds a process has used, from /proc (0 when it is not on this
// machine): on a busy machine, what each side costs apart from waiting.
double cpu_seconds_of(long pid) {
    std::FILE* stat = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
    if (stat == nullptr) return 0;
    char text[1024] = {};
    const auto n = std::fread(text, 1, sizeof text - 1, stat);
    std::fclose(stat);
    // utime and stime are fields 14 and 15; the name (2) may hold spaces.
    const char* at = std::strrchr(text, ')');
    if (n == 0 || at == nullptr) return 0;
    unsigned long utime = 0, stime = 0;
    if (std::sscanf(at + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
                    &stime) != 2)
        return 0;
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The server processes serving this database, but the one asking.
double backends_cpu_seconds(const std::string& url) {
    pqxx::connection c(url);
    pqxx::nontransaction tx(c);
    double total = 0;
    for (const auto& row :
         tx.exec("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
                 "pg_backend_pid()"))
        total += cpu_seconds_of(row[0].as<long>());
    return total;
}

// Where the catch-up's server time went, when the server keeps
// pg_stat_statements (shared_preload_libraries): what to optimise next.
// Statements a statement runs (foreign-key checks) are counted apart too.
bool statement_profile_available(const std::string& url) {
    try {
        pqxx::connection c(url);
        pqxx::nontransaction tx(c);
        tx.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        tx.exec("SELECT pg_stat_statements_reset()");
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

std::string statement_profile(const std::string& url, std::size_t events) {
    pqxx::connection c(url);
    pqxx::nontransaction tx(c);
    std::string out = "  server time by statement (pg_stat_statements, top 12; us per event):\n";
    for (const auto& row : tx.exec_params(
             "SELECT total_exec_time * 1000 / $1, calls, "
             "left(regexp_replace(query, '\\s+', ' ', 'g'), 110) FROM pg_stat_statements "
             "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
             "AND query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC LIMIT 12",
             static_cast<double>(events))) {
        char line[256];
        std::snprintf(line, sizeof line, "    %7.1f  %6ld calls  %s\n", row[0].as<double>(),
                      row[1].as<long>(), row[2].c_str());
        out += line;
    }
    return out;
}

double own_cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct CopyFigures {
    std::size_t rows = 0;
    double seconds = 0;
    double server_cpu_seconds = 0;
};

// The rows the timed catch-up wrote: its tables' rows, their entity_versions
// and audit_logs rows.
CopyFigures copy_same_rows(const std::string& url, bool with_foreign_keys) {
    std::string types;
    for (const auto* a : kTimed)
        types += (types.empty() ? "'" : ", '") + std::string(a->name) + "'";
    std::vector<std::pair<std::string, std::string>> sources;  // (table, query)
    for (const auto* a : kTimed)
        sources.emplace_back(a->table, "SELECT * FROM " + std::string(a->table));
    sources.emplace_back("entity_versions",
                         "SELECT * FROM entity_versions WHERE entity_type IN (" + types + ")");
    sources.emplace_back("audit_logs",
                         "SELECT * FROM audit_logs WHERE entity_type IN (" + types + ")");
    // The hash chain's links are rows the projector writes for each audit
    // row (issue 11): the same rows, so COPY loads them too.
    sources.emplace_back("audit_chain",
                         "SELECT c.* FROM audit_chain c JOIN audit_logs a ON a.id = "
                         "c.audit_log_id WHERE a.entity_type IN (" +
                             types + ")");
    Pq pq(url);
    std::vector<std::string> data;
    CopyFigures figures;
    for (const auto& [table, query] : sources) {
        pq.exec("DROP TABLE IF EXISTS copy_" + table);
        pq.exec("CREATE TABLE copy_" + table + " (LIKE " + table + " INCLUDING ALL)");
        // LIKE copies no foreign keys: what the projector's inserts check
        // on top of COPY's work.
        for (const auto& key : pq.column("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                                         "WHERE contype = 'f' AND conrelid = '" +
                                         table + "'::regclass")) {
            if (with_foreign_keys) pq.exec("ALTER TABLE copy_" + table + " ADD " + key);
        }
        data.push_back(pq.copy_out(query));
        figures.rows +=
            static_cast<std::size_t>(std::count(data.back().begin(), data.back().end(), '\n'));
    }
    PGresult* backend = PQexec(pq.conn, "SELECT pg_backend_pid()");
    const long pid = std::atol(PQgetvalue(backend, 0, 0));
    PQclear(backend);
    const double cpu_before = cpu_seconds_of(pid);
    const auto start = Clock::now();
    pq.exec("BEGIN");
    for (std::size_t i = 0; i < sources.size(); ++i)
        pq.copy_in("copy_" + sources[i].first, data[i]);
    pq.exec("COMMIT");
    figures.seconds = seconds_since(start);
    figures.server_cpu_seconds = cpu_seconds_of(pid) - cpu_before;
    for (const auto& [table, query] : sources) pq.exec("DROP TABLE copy_" + table);
    return figures;
}

int run(int argc, char** argv) {
    const std::size_t events = argc > 1 ? std::stoul(argv[1]) : 60000;
    const std::size_t batch = argc > 2 ? std::stoul(argv[2]) : 2000;
    const int partitions = argc > 3 ? std::stoi(argv[3]) : 4;
    const std::size_t workers =
        argc > 4 ? std::stoul(argv[4]) : projector::ProjectorOptions{}.workers;

    std::string url;
    if (const char* given = std::getenv("CC_DATABASE_URL"); given != nullptr && *given != '\0') {
        url = given;
        if (auto migrated = pg::migrate(url, testing::migrations_dir()); !migrated)
            throw std::runtime_error("migrate: " + migrated.error().detail);
        if (testing::scalar(url, "SELECT count(*) FROM event_log") != 0)
            throw std::runtime_error("CC_DATABASE_URL must name an empty database");
    } else {
        url = testing::postgres().create_database("bench_projector");
    }
    std::fprintf(stderr, "database: %s\n", url.c_str());
    eventlog::LogConfig config;
    config.postgres = {url, partitions};
    auto writer = eventlog::open_writer(config);

    projector::Projector projector(projector::ProjectorOptions{
        .database_url = url, .topic = config.topic(), .batch_size = batch, .workers = workers});
    CountingReader reader(eventlog::open_reader(
        config,
        {.group = "bench", .start_offset = [&](int p) { return projector.checkpoint(p); }}));
    const auto catch_up = [&] {
        if (const auto stopped = testing::catch_up(projector, reader, std::chrono::seconds(3600));
            !stopped.empty())
            throw std::runtime_error(stopped);
    };

    EventMaker maker(partitions);
    const auto staff = make_staff(maker, 20);
    append(*writer, maker.take());
    catch_up();
    const auto set_up = maker.size();

    const auto made = Clock::now();
    make_care(maker, staff, events);
    const auto timed = maker.size() - set_up;
    const double make_seconds = seconds_since(made);
    append(*writer, maker.take());

    std::fprintf(stderr, "catching up %zu events\n", timed);
    const auto polls = reader.polls;
    const auto delivered = reader.delivered;
    const auto seeks = reader.seeks;
    const bool profile = statement_profile_available(url);
    const double server_cpu_before = backends_cpu_seconds(url);
    const double own_cpu_before = own_cpu_seconds();
    const auto start = Clock::now();
    catch_up();
    const double projector_seconds = seconds_since(start);
    const double own_cpu = own_cpu_seconds() - own_cpu_before;
    const double server_cpu = backends_cpu_seconds(url) - server_cpu_before;
    const double dead =
        static_cast<double>(testing::scalar(url, "SELECT count(*) FROM dead_letters"));
    const auto where_the_time_went = profile ? statement_profile(url, timed) : std::string();

    const auto copy = copy_same_rows(url, false);
    const auto checked_copy = copy_same_rows(url, true);
    const double projector_rate = static_cast<double>(timed) / projector_seconds;
    const auto per_event = [&](double seconds) {
        return seconds * 1e6 / static_cast<double>(timed);
    };
    std::printf("events made by the deciders: %zu in %.2f s (plus %zu set-up events)\n", timed,
                make_seconds, set_up);
    std::printf(
        "projector catch-up: %zu events in %.3f s = %.0f events/s "
        "(batch %zu, %d partitions, %zu workers, %.0f dead letters)\n",
        timed, projector_seconds, projector_rate, batch, partitions, workers, dead);
    std::printf("  records handed to it: %zu in %zu polls, %zu seeks\n",
                reader.delivered - delivered, reader.polls - polls, reader.seeks - seeks);
    std::printf("  CPU: projector %.3f s, its PostgreSQL backends %.3f s (%.1f us per event)\n",
                own_cpu, server_cpu, per_event(own_cpu + server_cpu));
    std::fputs(where_the_time_went.c_str(), stdout);
    for (const auto* figures : {&copy, &checked_copy}) {
        const double rate = static_cast<double>(timed) / figures->seconds;
        std::printf(
            "COPY of the same %zu rows into clones %s: %.3f s = %.0f events/s\n", figures->rows,
            figures == &copy ? "(indexes, no foreign keys)" : "with the tables' foreign keys",
            figures->seconds, rate);
        std::printf("  CPU: its PostgreSQL backend %.3f s (%.1f us per event)\n",
                    figures->server_cpu_seconds, per_event(figures->server_cpu_seconds));
        std::printf("  ratio projector / this COPY: %.2f (in CPU: %.2f)\n", projector_rate / rate,
                    figures->server_cpu_seconds / (own_cpu + server_cpu));
    }
    return 0;
}

}  // namespace
}  // namespace cc

int main(int argc, char** argv) {
    try {
        return cc::run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_projector: %s\n", e.what());
        return 1;
    }
}
