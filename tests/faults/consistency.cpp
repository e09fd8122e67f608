#include "tests/faults/consistency.hpp"

#include <pqxx/pqxx>
#include <thread>

#include "events/access.hpp"
#include "events/envelope.hpp"
#include "projector/projector.hpp"
#include "tests/support/postgres_server.hpp"

namespace cc::faults {
namespace {

// Tables and columns the comparison leaves out, and why.
struct NotCompared {
    const char* table;
    const char* columns;    // a PostgreSQL text[] literal; "" for the whole table
    const char* condition;  // the rows they are left out of ("TRUE": all)
    const char* why;
};
constexpr NotCompared kNotCompared[] = {
    {"event_log", "", "TRUE", "the PostgreSQL log itself, not a projection (read, not rebuilt)"},
    {"event_log_partitions", "", "TRUE", "the PostgreSQL log's offsets"},
    {"event_log_writer", "", "TRUE", "the PostgreSQL log's writer epoch"},
    {"schema_migrations", "", "TRUE", "when each database was migrated"},
    {"projection_generations", "", "TRUE",
     "the control table (which generation readers use), made at migration time"},
    {"projection_checkpoints", "{updated_at}", "TRUE",
     "the wall-clock time of the batch that last moved the checkpoint"},
    {"dead_letters", "{id,created_at}", "TRUE",
     "a serial and the wall-clock time of parking (there must be none anyway)"},
    {"tenants", "{created_at,updated_at}", "t.id = '00000000-0000-0000-0000-000000000000'",
     "the platform tenant is written by a migration (0002, 0024) at migration time; every other "
     "tenant's times come from its events"},
};

const NotCompared* not_compared(const std::string& table) {
    for (const auto& entry : kNotCompared)
        if (table == entry.table) return &entry;
    return nullptr;
}

}  // namespace

LogContents read_log(const eventlog::LogConfig& config) {
    LogContents log;
    auto reader = eventlog::open_reader(config, {});
    const auto read = eventlog::read_to_end(*reader, [&](const eventlog::LogRecord& record) {
        ++log.records;
        const eventlog::Position position{record.partition, record.offset};
        auto envelope = events::parse_envelope(record.value);
        if (!envelope) {
            log.unreadable.push_back(position.to_string() + ": " + envelope.error().detail);
            return Status{};
        }
        log.event_ids.push_back(envelope->event_id.to_string());
        if (const auto& key = envelope->request.idempotency_key) {
            auto& command = log.by_idempotency_key[*key];
            command.positions.push_back(position);
            command.request_ids.insert(envelope->request.request_id.value_or(""));
        }
        return Status{};
    });
    if (!read) log.unreadable.push_back("reading the log failed: " + read.error().detail);
    return log;
}

std::vector<std::string> missing_or_doubled(const LogContents& log,
                                            const std::vector<Acknowledged>& acknowledged) {
    std::vector<std::string> failures;
    for (const auto& ack : acknowledged) {
        const auto it = log.by_idempotency_key.find(ack.idempotency_key);
        if (ack.position.partition < 0) {
            failures.push_back(ack.idempotency_key + ": acknowledged without a position");
        } else if (it == log.by_idempotency_key.end()) {
            failures.push_back(ack.idempotency_key + ": acknowledged at " +
                               ack.position.to_string() + " but not in the log");
        } else if (it->second.request_ids.size() != 1) {
            failures.push_back(ack.idempotency_key + ": appended by " +
                               std::to_string(it->second.request_ids.size()) + " attempts");
        } else if (!(it->second.positions.back() == ack.position)) {
            failures.push_back(ack.idempotency_key + ": acknowledged at " +
                               ack.position.to_string() + " but logged at " +
                               it->second.positions.back().to_string());
        }
    }
    // Commands the clients never saw acknowledged (they gave up) may be in
    // the log; none may be there twice.
    for (const auto& [key, command] : log.by_idempotency_key) {
        if (command.request_ids.size() > 1) {
            failures.push_back(key + ": in the log from " +
                               std::to_string(command.request_ids.size()) + " attempts");
        }
    }
    return failures;
}

std::vector<std::string> unprojected(const LogContents& log, const std::string& database_url) {
    std::vector<std::string> failures;
    pqxx::connection connection(database_url);
    pqxx::read_transaction tx(connection);
    std::set<std::string> audited;
    // The domain log's rows: reads and refusals have rows of their own,
    // from the access stream (events/access.hpp).
    std::string access_actions;
    for (const auto& type : events::access::types()) {
        access_actions +=
            std::string(access_actions.empty() ? "'" : ", '") + std::string(type.action) + "'";
    }
    for (const auto& row :
         tx.exec("SELECT id::text FROM audit_logs WHERE action NOT IN (" + access_actions + ")")) {
        audited.insert(row[0].as<std::string>());
    }
    std::set<std::string> logged(log.event_ids.begin(), log.event_ids.end());
    for (const auto& id : logged) {
        if (!audited.contains(id)) failures.push_back("event " + id + " has no audit row");
    }
    for (const auto& id : audited) {
        if (!logged.contains(id)) failures.push_back("audit row " + id + " is no event of the log");
    }
    if (logged.size() != log.event_ids.size()) failures.push_back("an event id is logged twice");
    for (const auto& row : tx.exec("SELECT partition, \"offset\", reason FROM dead_letters")) {
        failures.push_back("dead letter at " + row[0].as<std::string>() + ":" +
                           row[1].as<std::string>() + ": " + row[2].as<std::string>());
    }
    return failures;
}

bool while_progressing(const std::function<bool()>& done,
                       const std::function<std::int64_t()>& progress, std::chrono::seconds stall) {
    auto last = progress();
    auto moved = std::chrono::steady_clock::now();
    while (!done()) {
        const auto now = progress();
        if (now != last) {
            last = now;
            moved = std::chrono::steady_clock::now();
        } else if (std::chrono::steady_clock::now() - moved > stall) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

std::int64_t applied_offsets(const std::string& database_url) {
    return testing::scalar(database_url,
                           "SELECT coalesce(sum(next_offset), 0) FROM projection_checkpoints");
}

std::string wait_projected(const std::string& database_url, const std::string& topic,
                           const std::vector<Acknowledged>& acknowledged) {
    std::map<int, std::int64_t> highest;
    for (const auto& ack : acknowledged) {
        if (ack.position.partition < 0) continue;
        auto& at = highest[ack.position.partition];
        at = std::max(at, ack.position.offset);
    }
    pqxx::connection connection(database_url);
    std::string where;
    const bool reached = while_progressing(
        [&] {
            pqxx::nontransaction tx(connection);
            where.clear();
            bool all = true;
            for (const auto& [partition, offset] : highest) {
                const auto rows = tx.exec_params(
                    "SELECT next_offset FROM projection_checkpoints WHERE projection = 'main' "
                    "AND topic = $1 AND partition = $2",
                    topic, partition);
                const auto next = rows.empty() ? 0 : rows[0][0].as<std::int64_t>();
                all = all && next > offset;
                where += " p" + std::to_string(partition) + "=" + std::to_string(next) + "/" +
                         std::to_string(offset + 1);
            }
            return all;
        },
        [&] { return applied_offsets(database_url); });
    return reached ? "" : "the projection stopped short:" + where;
}

std::string rebuild(const eventlog::LogConfig& log, const std::string& fresh_database_url) {
    projector::Projector projector(projector::ProjectorOptions{
        .database_url = fresh_database_url,
        .topic = log.topic(),
        .reference_retry = std::chrono::milliseconds(10),
    });
    auto reader = eventlog::open_reader(
        log, {.group = "", .start_offset = [&](int p) { return projector.checkpoint(p); }});
    const auto ends = reader->end_offsets();
    if (!ends) return "end offsets: " + ends.error().detail;
    std::string where;
    const bool reached = while_progressing(
        [&] {
            if (auto round = projector.run_once(*reader, std::chrono::milliseconds(100)); !round) {
                where = "a round failed: " + round.error().detail;
                return false;
            }
            // After a round every record it was handed is applied, or the
            // reader was sent back for it: the reader's place is what is done.
            const auto positions = reader->positions();
            bool all = true;
            where.clear();
            for (std::size_t p = 0; p < ends->size(); ++p) {
                const auto it = positions.find(static_cast<int>(p));
                const auto at = it == positions.end() ? 0 : it->second;
                all = all && at >= (*ends)[p];
                where += " p" + std::to_string(p) + "=" + std::to_string(at) + "/" +
                         std::to_string((*ends)[p]);
            }
            return all;
        },
        [&] { return applied_offsets(fresh_database_url); });
    return reached ? "" : "the rebuild stopped short of the log's end:" + where;
}

std::map<std::string, TableChecksum> checksums(const std::string& database_url) {
    std::map<std::string, TableChecksum> out;
    pqxx::connection connection(database_url);
    pqxx::read_transaction tx(connection);
    const auto tables = tx.exec(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
        "AND table_type = 'BASE TABLE' ORDER BY table_name");
    for (const auto& row : tables) {
        const auto table = row[0].as<std::string>();
        std::string text = "to_jsonb(t)";
        if (const auto* left_out = not_compared(table)) {
            if (std::string_view(left_out->columns).empty()) continue;
            text = std::string("CASE WHEN ") + left_out->condition + " THEN to_jsonb(t) - " +
                   tx.quote(left_out->columns) + "::text[] ELSE to_jsonb(t) END";
        }
        // Each row's text hashed, the hashes sorted: the order rows were
        // written in (batches, partitions, kills) does not matter, their content does.
        const auto result = tx.exec(
            "SELECT count(*), coalesce(md5(string_agg(h, ',' ORDER BY h)), '') FROM "
            "(SELECT md5((" +
            text + ")::text) AS h FROM " + tx.quote_name(table) + " t) rows");
        out[table] = {result[0][0].as<std::int64_t>(), result[0][1].as<std::string>()};
    }
    return out;
}

}  // namespace cc::faults
