#include "cli/generations.hpp"

#include <pqxx/pqxx>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <numeric>
#include <thread>

#include "cli/progress.hpp"
#include "events/envelope.hpp"
#include "platform/config/env.hpp"
#include "platform/eventlog/factory.hpp"
#include "platform/generations/store.hpp"
#include "platform/pg/migrator.hpp"

namespace cc::cli {
namespace {

using namespace std::chrono_literals;

std::string flag(const GenerationCommand& command, const std::string& name,
                 const std::string& fallback = "") {
    const auto it = command.flags.find(name);
    return it == command.flags.end() ? fallback : it->second;
}

int fail(const std::string& what, const Error& error) {
    std::cerr << what << ": " << error.detail << " (" << error.type << ")\n";
    return error.kind == ErrorKind::malformed ? 2 : 1;
}

std::string projection_name() {
    return config::env_or("CC_PROJECTION", "main");
}

std::int64_t total(const std::map<int, std::int64_t>& offsets) {
    return std::accumulate(offsets.begin(), offsets.end(), std::int64_t{0},
                           [](std::int64_t sum, const auto& entry) { return sum + entry.second; });
}

// The instant an as-of position stands for: when its event occurred.
Result<Timestamp> occurred_at(const eventlog::LogConfig& log, const eventlog::Position& at) {
    auto ends_reader = eventlog::open_ends(log);
    auto ends = ends_reader->end_offsets();
    if (!ends) return std::move(ends).error();
    if (at.partition < 0 || static_cast<std::size_t>(at.partition) >= ends->size() ||
        at.offset < 0 || at.offset >= (*ends)[static_cast<std::size_t>(at.partition)]) {
        return Error::make(ErrorKind::malformed, "position-beyond-log",
                           "the log holds no event at " + at.to_string());
    }
    auto reader = eventlog::open_reader(
        log, {.group = "", .start_offset = [&](int p) {
                  return p == at.partition ? at.offset : (*ends)[static_cast<std::size_t>(p)];
              }});
    for (int attempt = 0; attempt < 50; ++attempt) {
        auto records = reader->poll(100, 200ms);
        if (!records) return std::move(records).error();
        for (const auto& record : *records) {
            if (record.partition != at.partition || record.offset != at.offset) continue;
            auto envelope = events::parse_envelope(record.value);
            if (!envelope) return std::move(envelope).error();
            return envelope->occurred_at;
        }
    }
    return Error::make(ErrorKind::malformed, "position-not-an-event",
                       "no event is stored at " + at.to_string() +
                           " (on Kafka, a transaction marker takes an offset)");
}

struct NewGeneration {
    std::string name;
    generations::Kind kind;
    std::optional<std::string> as_of;
    std::optional<Timestamp> as_of_time;
};

// The schema with every projection migration, and its row (building), in
// one transaction under the migration lock: it exists whole or not at all.
Result<generations::Generation> create(const GenerationCommand& command,
                                       const NewGeneration& spec) {
    if (auto named = generations::check_name(spec.name); !named) return std::move(named).error();
    pqxx::connection connection(command.database_url);
    pg::MigrationLock lock(connection);
    pqxx::work tx(connection);
    if (generations::by_name(tx, spec.name)) {
        return Error::make(ErrorKind::conflict, "generation-exists",
                           "a generation named " + spec.name + " exists");
    }
    for (const auto& g : generations::list(tx)) {
        if (spec.kind == generations::Kind::live && g.kind == generations::Kind::live &&
            g.state == generations::State::building) {
            return Error::make(
                ErrorKind::conflict, "rebuild-running",
                "generation " + g.name + " is being rebuilt; drop it or let it finish first");
        }
    }
    const auto schema = generations::schema_for(spec.name);
    if (!tx.exec_params("SELECT to_regnamespace($1)", schema)[0][0].is_null()) {
        return Error::make(ErrorKind::conflict, "schema-exists",
                           "schema " + schema + " exists already; it is no generation's");
    }
    auto applied = pg::apply_projection_migrations(tx, command.migrations, schema);
    if (!applied) return std::move(applied).error();
    // The platform tenant row comes from a migration, not from the log: the
    // same row in every generation, so that equal logs give equal tables.
    if (const auto current = generations::current(tx)) {
        tx.exec_params("UPDATE " + tx.quote_name(schema) +
                           ".tenants g SET created_at = c.created_at, updated_at = c.updated_at "
                           "FROM " +
                           tx.quote_name(current->schema) +
                           ".tenants c WHERE g.id = c.id AND g.id = $1::uuid",
                       kPlatformTenant.to_string());
    }
    tx.exec_params(
        "INSERT INTO projection_generations (name, schema_name, kind, state, as_of, as_of_time) "
        "VALUES ($1, $2, $3, 'building', $4, to_timestamp($5::double precision / 1000000))",
        spec.name, schema, std::string(generations::to_string(spec.kind)), spec.as_of,
        spec.as_of_time ? std::optional<std::int64_t>(spec.as_of_time->micros()) : std::nullopt);
    tx.exec_params("SELECT pg_notify($1, $2)", std::string(generations::kChannel), spec.name);
    auto made = generations::by_name(tx, spec.name);
    tx.commit();
    return *made;
}

// Shows the projector's progress on the generation until it is `done`.
int follow(const GenerationCommand& command, const generations::Generation& generation,
           generations::State done) {
    if (flag(command, "detach", "false") == "true") {
        std::printf("generation %s (schema %s) is being built by the projector\n",
                    generation.name.c_str(), generation.schema.c_str());
        return 0;
    }
    std::fprintf(stderr,
                 "the projector builds %s (schema %s); Ctrl-C stops watching, not the work\n",
                 generation.name.c_str(), generation.schema.c_str());
    const auto log = eventlog::log_config_from_env(command.database_url);
    auto ends = eventlog::open_ends(log);
    pqxx::connection connection(command.database_url);
    const auto started = std::chrono::steady_clock::now();
    std::optional<std::int64_t> first;
    std::optional<Progress> progress;
    std::int64_t applied = 0;
    for (;;) {
        pqxx::read_transaction tx(connection);
        const auto now = generations::by_id(tx, generation.id);
        if (!now || now->state == generations::State::dropped) {
            if (progress) progress->finish();
            std::cerr << "generation " << generation.name << " was dropped\n";
            return 1;
        }
        applied =
            total(generations::checkpoints(tx, generation.schema, projection_name(), log.topic()));
        tx.commit();
        auto end = ends->end_offsets();
        const std::int64_t log_size =
            end ? std::accumulate(end->begin(), end->end(), std::int64_t{0}) : applied;
        if (!first) {
            first = applied;  // a resumed build: rate and ETA count this run's work
            progress.emplace(stderr, static_cast<std::size_t>(log_size - applied),
                             flag(command, "plain", "false") == "true");
        }
        progress->update(static_cast<std::size_t>(applied - *first),
                         static_cast<std::size_t>(std::max(log_size, applied) - *first));
        if (now->state == done) break;
        std::this_thread::sleep_for(200ms);
    }
    progress->finish();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("%s %s: %lld events (%lld in this run) in %.1f s, %.0f events/s\n",
                done == generations::State::current ? "readers switched to" : "ready:",
                generation.name.c_str(), static_cast<long long>(applied),
                static_cast<long long>(applied - *first), seconds,
                static_cast<double>(applied - *first) / std::max(seconds, 1e-9));
    return 0;
}

}  // namespace

int rebuild(const GenerationCommand& command) {
    NewGeneration spec{flag(command, "name", generations::rebuild_name(Timestamp::now())),
                       generations::Kind::live, std::nullopt, std::nullopt};
    auto made = create(command, spec);
    if (!made) return fail("rebuild", made.error());
    return follow(command, *made, generations::State::current);
}

int replay(const GenerationCommand& command) {
    const auto name = flag(command, "name");
    const auto as_of = flag(command, "as-of");
    if (name.empty() || as_of.empty()) {
        std::cerr << "replay: --as-of <RFC 3339 time | partition:offset> and --name are required\n";
        return 2;
    }
    auto parsed = generations::parse_as_of(as_of, Timestamp::now());
    if (!parsed) return fail("replay", parsed.error());
    NewGeneration spec{name, generations::Kind::as_of, as_of, parsed->time};
    if (parsed->position) {
        auto at =
            occurred_at(eventlog::log_config_from_env(command.database_url), *parsed->position);
        if (!at) return fail("replay", at.error());
        spec.as_of_time = *at;
    }
    auto made = create(command, spec);
    if (!made) return fail("replay", made.error());
    return follow(command, *made, generations::State::ready);
}

int generations_list(const GenerationCommand& command) {
    pqxx::connection connection(command.database_url);
    pqxx::read_transaction tx(connection);
    const auto topic = eventlog::log_config_from_env(command.database_url).topic();
    std::printf("%-28s %-24s %-6s %-9s %-10s %-28s %s\n", "NAME", "SCHEMA", "KIND", "STATE",
                "EVENTS", "CREATED", "AS OF");
    for (const auto& g : generations::list(tx)) {
        std::string events = "-";
        if (g.state != generations::State::dropped) {
            events = std::to_string(
                total(generations::checkpoints(tx, g.schema, projection_name(), topic)));
        }
        std::printf("%-28s %-24s %-6s %-9s %-10s %-28s %s\n", g.name.c_str(), g.schema.c_str(),
                    std::string(generations::to_string(g.kind)).c_str(),
                    std::string(generations::to_string(g.state)).c_str(), events.c_str(),
                    g.created_at.to_string().c_str(),
                    g.as_of ? (*g.as_of + " (" + g.as_of_time->to_string() + ")").c_str() : "");
    }
    return 0;
}

int generations_drop(const GenerationCommand& command, const std::string& name) {
    pqxx::connection connection(command.database_url);
    pg::MigrationLock lock(connection);
    pqxx::work tx(connection);
    const auto generation = generations::by_name(tx, name);
    if (!generation) {
        return fail("generations drop", Error::make(ErrorKind::not_found, "generation-unknown",
                                                    "no generation named " + name));
    }
    // Waits for a batch in flight: the builder of a dropped generation stops.
    auto dropped = generations::take_step(tx, *generation, generations::Step::drop);
    if (!dropped) return fail("generations drop", dropped.error());
    if (generation->schema == "public") {
        // The first generation shares public with the log: its tables only.
        for (const auto& table : generations::projection_tables(tx, "public")) {
            tx.exec("DROP TABLE IF EXISTS public." + tx.quote_name(table) + " CASCADE");
        }
    } else {
        tx.exec("DROP SCHEMA IF EXISTS " + tx.quote_name(generation->schema) + " CASCADE");
    }
    tx.commit();
    std::printf("dropped generation %s (schema %s)\n", name.c_str(), generation->schema.c_str());
    return 0;
}

int generations_checksum(const GenerationCommand& command, const std::string& name) {
    pqxx::connection connection(command.database_url);
    pqxx::read_transaction tx(connection);
    const auto generation = generations::by_name(tx, name);
    if (!generation) {
        return fail("generations checksum", Error::make(ErrorKind::not_found, "generation-unknown",
                                                        "no generation named " + name));
    }
    for (const auto& [table, sum] : generations::table_checksums(tx, generation->schema)) {
        std::printf("%-28s %s\n", table.c_str(), sum.c_str());
    }
    return 0;
}

}  // namespace cc::cli
