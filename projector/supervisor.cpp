#include "projector/supervisor.hpp"

#include <pqxx/pqxx>

#include <map>
#include <thread>

#include "events/envelope.hpp"
#include "platform/observability/logger.hpp"

namespace cc::projector {
namespace {

using namespace std::chrono_literals;

// A database whose control table is missing (not migrated to generations
// yet) has one generation, public, without a guard.
generations::Generation current_or_public(pqxx::connection& connection) {
    pqxx::read_transaction tx(connection);
    if (tx.exec("SELECT to_regclass('public.projection_generations')")[0][0].is_null()) {
        generations::Generation g;
        g.name = "initial";
        g.schema = "public";
        g.state = generations::State::current;
        return g;
    }
    if (auto current = generations::current(tx)) return *current;
    throw std::runtime_error("no projection generation is current");
}

}  // namespace

Supervisor::Supervisor(SupervisorOptions options) : options_(std::move(options)) {}

bool Supervisor::ready() const {
    std::lock_guard lock(live_mutex_);
    return live_ && live_->ready();
}

ProjectorOptions Supervisor::options_for(const generations::Generation& generation,
                                         bool builder) const {
    return ProjectorOptions{.database_url = options_.database_url,
                            .projection = options_.projection,
                            .topic = options_.log.topic(),
                            .batch_size = options_.batch_size,
                            .schema = generation.schema,
                            .generation_id = generation.id,
                            .builder = builder,
                            .admit = {},
                            .access_stream = options_.access_stream,
                            .workers = options_.workers,
                            .gather = options_.gather};
}

void Supervisor::run(const std::atomic<bool>& stop) {
    std::thread builder([&] { run_builder(stop); });
    while (!stop.load()) {
        try {
            run_live(stop);
        } catch (const std::exception& e) {
            // Not ready meanwhile: /readyz says so.
            obs::error("live projection failed; retrying", {{"error", e.what()}});
            {
                std::lock_guard lock(live_mutex_);
                live_.reset();
            }
            std::this_thread::sleep_for(1s);
        }
    }
    builder.join();
}

void Supervisor::run_live(const std::atomic<bool>& stop) {
    auto control = std::make_unique<pqxx::connection>(options_.database_url);
    auto generation = current_or_public(*control);
    auto projector = std::make_shared<Projector>(options_for(generation, false));
    {
        std::lock_guard lock(live_mutex_);
        live_ = projector;
    }
    // Partitions given to this worker later start where the generation it
    // serves then has got to (this thread both polls and replaces live_).
    auto reader = eventlog::open_reader(
        options_.log,
        eventlog::ReaderOptions{.group = options_.group,
                                .start_offset = [this](int p) { return live_->checkpoint(p); }});
    while (!stop.load()) {
        projector->run(*reader, stop);
        if (!projector->left()) break;
        try {
            if (!control->is_open()) {
                control = std::make_unique<pqxx::connection>(options_.database_url);
            }
            generation = current_or_public(*control);
        } catch (const std::exception& e) {
            obs::error("cannot read the current projection generation; retrying",
                       {{"error", e.what()}});
            std::this_thread::sleep_for(1s);
            continue;
        }
        projector = std::make_shared<Projector>(options_for(generation, false));
        {
            std::lock_guard lock(live_mutex_);
            live_ = projector;
        }
        for (const int partition : reader->owned_partitions()) {
            reader->seek(partition, projector->checkpoint(partition));
        }
        obs::info("projecting into the current generation",
                  {{"generation", generation.name}, {"schema", generation.schema}});
    }
}

void Supervisor::run_builder(const std::atomic<bool>& stop) {
    std::unique_ptr<pqxx::connection> claims;
    while (!stop.load()) {
        try {
            if (!claims || !claims->is_open()) {
                claims = std::make_unique<pqxx::connection>(options_.database_url);
                pqxx::nontransaction tx(*claims);
                if (tx.exec("SELECT to_regclass('public.projection_generations')")[0][0]
                        .is_null()) {
                    return;  // a database without generations builds none
                }
                tx.exec(std::string("LISTEN ") + generations::kChannel);
            }
            std::vector<generations::Generation> building;
            {
                pqxx::read_transaction tx(*claims);
                for (auto& g : generations::list(tx)) {
                    if (g.state == generations::State::building) building.push_back(std::move(g));
                }
            }
            // The access stream's builds are claimed apart from the domain
            // log's: both run into one generation at once.
            const int claim_class = options_.access_stream ? generations::kAccessBuildLockClass
                                                           : generations::kBuildLockClass;
            for (const auto& generation : building) {
                // An as-of generation this stream has brought to its cut
                // waits for the other stream, with nothing left to build.
                if (generation.kind == generations::Kind::as_of) {
                    pqxx::read_transaction tx(*claims);
                    if (generations::reached_cut(tx, generation, stream())) continue;
                }
                // One projector builds a generation; its death (kill -9)
                // ends its session and so the claim, and another (or the
                // same, restarted) resumes from the checkpoints.
                pqxx::nontransaction tx(*claims);
                if (!tx.exec_params("SELECT pg_try_advisory_lock($1, $2::integer)", claim_class,
                                    generation.id)[0][0]
                         .as<bool>()) {
                    continue;
                }
                obs::info("building a projection generation",
                          {{"generation", generation.name}, {"schema", generation.schema}});
                build(generation, stop);
                tx.exec_params("SELECT pg_advisory_unlock($1, $2::integer)", claim_class,
                               generation.id);
            }
            // Woken by a new generation at once, else a look every second
            // (a claim another projector released).
            claims->await_notification(1, 0);
        } catch (const std::exception& e) {
            obs::error("projection generation builder failed; retrying", {{"error", e.what()}});
            claims.reset();
            std::this_thread::sleep_for(1s);
        }
    }
}

void Supervisor::build(const generations::Generation& generation, const std::atomic<bool>& stop) {
    const bool as_of = generation.kind == generations::Kind::as_of;
    auto options = options_for(generation, true);
    std::shared_ptr<generations::AsOfReplay> cut;
    if (as_of) {
        // The access stream is cut at the same time as the domain log: a
        // position's time is the instant its event occurred (as_of_time),
        // so the reads and refusals are those recorded up to the state's
        // last event. A position names a record of the domain log only.
        const auto spec = generations::parse_as_of(*generation.as_of, Timestamp::now());
        std::optional<eventlog::Position> position;
        if (spec && !options_.access_stream) position = spec->position;
        cut = std::make_shared<generations::AsOfReplay>(
            generations::AsOfCut(generation.as_of_time.value_or(Timestamp{}), position));
        options.admit = [cut](int partition, const std::vector<eventlog::LogRecord>& records) {
            std::vector<std::int64_t> offsets;
            offsets.reserve(records.size());
            for (const auto& record : records) offsets.push_back(record.offset);
            return cut->admitted(partition, offsets, [&](std::size_t i) {
                auto envelope = events::parse_envelope(records[i].value);
                return envelope ? std::optional<Timestamp>(envelope->occurred_at) : std::nullopt;
            });
        };
    }
    Projector projector(options);
    auto reader = eventlog::open_reader(options_.log, {.group = "", .start_offset = [&](int p) {
                                                           return projector.checkpoint(p);
                                                       }});
    // An as-of cut lies in the past: what the log holds now is all it can admit.
    auto ends = reader->end_offsets();
    if (!ends) throw std::runtime_error(ends.error().detail);
    const auto caught_up = [&] {
        if (!as_of) {
            auto now = reader->end_offsets();
            if (!now) return false;
            ends = std::move(now);
        }
        const auto positions = reader->positions();
        for (std::size_t p = 0; p < ends->size(); ++p) {
            const int partition = static_cast<int>(p);
            if (as_of) {
                if (const auto end = cut->end_of(partition)) {
                    if (projector.checkpoint(partition) < *end) return false;
                    continue;
                }
            }
            const auto at = positions.find(partition);
            if ((at == positions.end() ? 0 : at->second) < (*ends)[p]) return false;
        }
        return true;
    };
    while (!stop.load() && !projector.left()) {
        auto handled = projector.run_once(*reader, 200ms);
        if (!handled) {
            obs::error("generation build round failed; retrying",
                       {{"generation", generation.name}, {"error", handled.error().detail}});
            std::this_thread::sleep_for(1s);
            continue;
        }
        // In a rebuild the access stream follows until readers switch (its
        // batches then find the generation left building): it never
        // switches them.
        if (projector.left() || (options_.access_stream && !as_of) || !caught_up()) continue;
        if (as_of) {
            pqxx::connection control(options_.database_url);
            pqxx::work tx(control);
            auto step = generations::reach_cut(tx, generation, stream());
            if (!step) {
                obs::error("as-of generation cannot become ready",
                           {{"generation", generation.name}, {"error", step.error().detail}});
                return;
            }
            tx.commit();
            obs::info(*step == generations::State::ready
                          ? "as-of generation ready"
                          : "as-of generation at its cut in this stream; the other builds on",
                      {{"generation", generation.name},
                       {"stream", std::string(generations::to_string(stream()))}});
            return;
        }
        if (switch_to(generation, projector, *reader, stop)) return;
    }
}

bool Supervisor::switch_to(const generations::Generation& generation, Projector& projector,
                           eventlog::LogReader& reader, const std::atomic<bool>& stop) {
    pqxx::connection control(options_.database_url);
    pqxx::work tx(control);
    const auto current = generations::current(tx);
    if (!current) return false;
    // Exclusive: waits for the live batch in flight, holds the next ones.
    tx.exec_params("SELECT pg_advisory_xact_lock($1, $2::integer)", generations::kGuardLockClass,
                   current->id);
    const auto target =
        generations::checkpoints(tx, current->schema, options_.projection, options_.log.topic());
    const auto behind = [&] {
        for (const auto& [partition, next] : target) {
            if (projector.checkpoint(partition) < next) return true;
        }
        return false;
    };
    // Readers never go back: what they could read in the current generation
    // is in this one before they switch.
    while (behind()) {
        if (stop.load() || projector.left()) return false;
        auto handled = projector.run_once(reader, 100ms);
        if (!handled) return false;
    }
    if (auto retired = generations::take_step(tx, *current, generations::Step::superseded);
        !retired) {
        obs::error("cannot retire the current generation", {{"error", retired.error().detail}});
        return false;
    }
    if (auto made = generations::take_step(tx, generation, generations::Step::caught_up); !made) {
        obs::error("cannot make the rebuilt generation current", {{"error", made.error().detail}});
        return false;
    }
    tx.commit();
    obs::info("readers switched to the rebuilt generation",
              {{"generation", generation.name}, {"retired", current->name}});
    return true;
}

}  // namespace cc::projector
