#include "platform/generations/store.hpp"

#include <pqxx/pqxx>

namespace cc::generations {
namespace {

constexpr const char* kColumns =
    "SELECT id, name, schema_name, kind, state, as_of, "
    "(extract(epoch FROM as_of_time) * 1000000)::bigint, "
    "(extract(epoch FROM created_at) * 1000000)::bigint, "
    "(extract(epoch FROM caught_up_at) * 1000000)::bigint FROM projection_generations ";

std::optional<Timestamp> micros(const pqxx::field& field) {
    if (field.is_null()) return std::nullopt;
    return Timestamp::from_micros(field.as<std::int64_t>());
}

Generation read(const pqxx::row& row) {
    Generation g;
    g.id = row[0].as<std::int64_t>();
    g.name = row[1].as<std::string>();
    g.schema = row[2].as<std::string>();
    g.kind = parse_kind(row[3].as<std::string>()).value_or(Kind::live);
    g.state = parse_state(row[4].as<std::string>()).value_or(State::dropped);
    if (!row[5].is_null()) g.as_of = row[5].as<std::string>();
    g.as_of_time = micros(row[6]);
    g.created_at = micros(row[7]).value_or(Timestamp{});
    g.caught_up_at = micros(row[8]);
    return g;
}

std::optional<Generation> first(const pqxx::result& rows) {
    if (rows.empty()) return std::nullopt;
    return read(rows[0]);
}

// Bookkeeping columns saying when, not what: they differ between two
// generations that projected the same events.
bool is_clock_column(const std::string& table, const std::string& column) {
    if (table == "projection_checkpoints") return column == "updated_at";
    if (table == "dead_letters") return column == "id" || column == "created_at";
    return false;
}

}  // namespace

bool is_log_table(std::string_view table) {
    return table == "event_log" || table == "event_log_partitions" || table == "event_log_writer" ||
           table == "access_log" || table == "access_log_partitions" ||
           table == "projection_generations" || table == "projection_generation_streams" ||
           table == "schema_migrations";
}

std::vector<std::string> projection_tables(pqxx::transaction_base& tx, const std::string& schema) {
    std::vector<std::string> out;
    for (const auto& row : tx.exec_params("SELECT tablename FROM pg_tables WHERE schemaname = $1 "
                                          "ORDER BY tablename",
                                          schema)) {
        auto table = row[0].as<std::string>();
        if (!is_log_table(table)) out.push_back(std::move(table));
    }
    return out;
}

std::vector<Generation> list(pqxx::transaction_base& tx) {
    std::vector<Generation> out;
    for (const auto& row : tx.exec(std::string(kColumns) + "ORDER BY id")) out.push_back(read(row));
    return out;
}

std::optional<Generation> current(pqxx::transaction_base& tx) {
    return first(tx.exec(std::string(kColumns) + "WHERE state = 'current'"));
}

std::optional<Generation> by_name(pqxx::transaction_base& tx, const std::string& name) {
    return first(
        tx.exec_params(std::string(kColumns) + "WHERE name = $1 AND state <> 'dropped'", name));
}

std::optional<Generation> by_id(pqxx::transaction_base& tx, std::int64_t id) {
    return first(tx.exec_params(std::string(kColumns) + "WHERE id = $1", id));
}

Result<State> take_step(pqxx::transaction_base& tx, const Generation& generation, Step step) {
    tx.exec_params("SELECT pg_advisory_xact_lock($1, $2::integer)", kGuardLockClass, generation.id);
    // Read again under the guard: the state may have moved meanwhile.
    const auto now = by_id(tx, generation.id);
    if (!now) return Error::make(ErrorKind::not_found, "generation-unknown", "no such generation");
    auto next = next_state(now->kind, now->state, step);
    if (!next) return next;
    const std::string stamp = *next == State::retired   ? ", retired_at = now()"
                              : *next == State::dropped ? ", dropped_at = now()"
                                                        : ", caught_up_at = now()";
    tx.exec_params("UPDATE projection_generations SET state = $2" + stamp + " WHERE id = $1",
                   generation.id, std::string(to_string(*next)));
    tx.exec_params("SELECT pg_notify($1, $2)", std::string(kChannel), generation.name);
    return next;
}

bool reached_cut(pqxx::transaction_base& tx, const Generation& generation, AsOfStream stream) {
    return !tx.exec_params(
                  "SELECT 1 FROM projection_generation_streams WHERE generation_id = $1 "
                  "AND stream = $2",
                  generation.id, std::string(to_string(stream)))
                .empty();
}

Result<State> reach_cut(pqxx::transaction_base& tx, const Generation& generation,
                        AsOfStream stream) {
    // The guard, exclusively: the other stream's builder records its own
    // arrival after this transaction, or before it and is seen here.
    tx.exec_params("SELECT pg_advisory_xact_lock($1, $2::integer)", kGuardLockClass, generation.id);
    tx.exec_params(
        "INSERT INTO projection_generation_streams (generation_id, stream) VALUES ($1, $2) "
        "ON CONFLICT DO NOTHING",
        generation.id, std::string(to_string(stream)));
    const auto arrived =
        tx.exec_params(
              "SELECT count(*) FROM projection_generation_streams WHERE generation_id = $1",
              generation.id)[0][0]
            .as<std::size_t>();
    if (arrived < kAsOfStreams.size()) return State::building;
    return take_step(tx, generation, Step::caught_up);
}

std::map<int, std::int64_t> checkpoints(pqxx::transaction_base& tx, const std::string& schema,
                                        const std::string& projection, const std::string& topic) {
    std::map<int, std::int64_t> out;
    for (const auto& row :
         tx.exec_params("SELECT partition, next_offset FROM " + tx.quote_name(schema) +
                            ".projection_checkpoints "
                            "WHERE projection = $1 AND topic = $2",
                        projection, topic)) {
        out[row[0].as<int>()] = row[1].as<std::int64_t>();
    }
    return out;
}

std::string search_path(pqxx::transaction_base& tx, const std::string& schema) {
    if (schema == "public") return "public";
    return tx.quote_name(schema) + ", public";
}

void use_current(pqxx::transaction_base& tx) {
    if (const auto generation = current(tx)) {
        tx.exec("SET LOCAL search_path TO " + search_path(tx, generation->schema));
    }
}

std::map<std::string, std::string> table_checksums(pqxx::transaction_base& tx,
                                                   const std::string& schema) {
    std::map<std::string, std::vector<std::string>> columns;
    for (const auto& row :
         tx.exec_params("SELECT c.table_name, c.column_name FROM information_schema.columns c "
                        "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
                        "AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE' "
                        "WHERE c.table_schema = $1 ORDER BY c.table_name, c.ordinal_position",
                        schema)) {
        const auto table = row[0].as<std::string>();
        if (is_log_table(table)) continue;
        const auto column = row[1].as<std::string>();
        auto& list = columns[table];
        if (!is_clock_column(table, column)) list.push_back(column);
    }
    std::map<std::string, std::string> out;
    for (const auto& [table, names] : columns) {
        std::string row_text = "concat_ws('|'";
        for (const auto& name : names) {
            row_text += ", coalesce(" + tx.quote_name(name) + "::text, '<null>')";
        }
        row_text += ")";
        out[table] =
            tx.exec(
                  "SELECT count(*) || ':' || md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) "
                  "FROM (SELECT " +
                  row_text + " AS r FROM " + tx.quote_name(schema) + "." + tx.quote_name(table) +
                  ") t")[0][0]
                .as<std::string>();
    }
    return out;
}

}  // namespace cc::generations
