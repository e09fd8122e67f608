#include "projector/projector.hpp"

#include <prometheus/counter.h>

#include <functional>
#include <iterator>
#include <optional>
#include <pqxx/pqxx>
#include <span>
#include <thread>

#include "events/envelope.hpp"
#include "platform/generations/store.hpp"
#include "platform/observability/logger.hpp"
#include "platform/observability/metrics.hpp"
#include "projector/audit_links.hpp"
#include "projector/projection/batch.hpp"
#include "projector/projection/projection.hpp"

namespace cc::projector {
namespace {

struct ProjectorMetrics {
    prometheus::Counter& applied;
    prometheus::Counter& dead_lettered;
    prometheus::Counter& reference_waits;
    prometheus::Counter& split;
    prometheus::Histogram& delay;
    prometheus::Family<prometheus::Gauge>& checkpoint;
    prometheus::Family<prometheus::Gauge>& lag_events;
    prometheus::Family<prometheus::Gauge>& lag_seconds;

    static ProjectorMetrics& get(bool access_stream) {
        auto& registry = obs::metrics_registry();
        static auto& applied_family = prometheus::BuildCounter()
                                          .Name("projector_events_applied_total")
                                          .Help("Events applied to the projections")
                                          .Register(registry);
        static auto& dead_family = prometheus::BuildCounter()
                                       .Name("projector_dead_letters_total")
                                       .Help("Events parked in dead_letters")
                                       .Register(registry);
        static auto& wait_family =
            prometheus::BuildCounter()
                .Name("projector_reference_waits_total")
                .Help("Batches stopped to wait for a row of another partition")
                .Register(registry);
        static auto& split_family =
            prometheus::BuildCounter()
                .Name("projector_batches_split_total")
                .Help("Batches whose set-based statements failed, split to isolate the event")
                .Register(registry);
        static auto& delay_family =
            prometheus::BuildHistogram()
                .Name("projector_event_delay_seconds")
                .Help("From an event's occurred_at to its commit in the projections")
                .Register(registry);
        // The access stream's partitions have gauges of their own
        // (projector_access_*), so that the domain log's keep their names
        // and labels and a partition number names one series.
        const auto gauge = [&registry](
                               bool access, const std::string& name,
                               const std::string& help) -> prometheus::Family<prometheus::Gauge>& {
            return prometheus::BuildGauge()
                .Name(access ? "projector_access_" + name : "projector_" + name)
                .Help(access ? help + " (the access stream)" : help)
                .Register(registry);
        };
        const auto build = [&](bool access) {
            return ProjectorMetrics{
                applied_family.Add({}),
                dead_family.Add({}),
                wait_family.Add({}),
                split_family.Add({}),
                delay_family.Add(
                    {}, prometheus::Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                0.05, 0.1, 0.25, 0.5, 1, 5, 30}),
                gauge(access, "checkpoint", "Next offset to apply, per partition"),
                gauge(access, "lag_events", "Events in the log not applied yet, per partition"),
                gauge(access, "lag_seconds",
                      "How stale the partition's projection is: 0 when caught up, else the age "
                      "of the last event applied")};
        };
        static ProjectorMetrics changes = build(false);
        static ProjectorMetrics access = build(true);
        return access_stream ? access : changes;
    }

    static prometheus::Labels of(int partition) {
        return {{"partition", std::to_string(partition)}};
    }
};

double seconds_since(Timestamp then) {
    return static_cast<double>(Timestamp::now().micros() - then.micros()) / 1e6;
}

// Errors that retrying cannot mend: the event is parked, the partition goes on.
bool is_permanent(const pqxx::sql_error& e) {
    const std::string state = e.sqlstate();
    // 22: data exception; 23: integrity violation (foreign keys are handled
    // before this, as "wait for the reference").
    return state.rfind("22", 0) == 0 || state.rfind("23", 0) == 0;
}

}  // namespace

struct Projector::Decoded {
    const eventlog::LogRecord* record;
    std::optional<events::Envelope> envelope;
    std::vector<projection::Statement> statements;
    std::string unreadable;  // why it is parked; empty when it can be applied
};

Projector::Decoded Projector::decode(const eventlog::LogRecord& record) const {
    Decoded out{&record, {}, {}, {}};
    auto envelope = events::parse_envelope(record.value);
    if (!envelope) {
        out.unreadable = envelope.error().detail;
        return out;
    }
    out.envelope = std::move(*envelope);
    auto statements = options_.access_stream ? projection::project_access(*out.envelope)
                                             : projection::project(*out.envelope);
    if (!statements) {
        out.unreadable = statements.error().detail;
        return out;
    }
    out.statements = std::move(*statements);
    return out;
}

std::string Projector::statement_name(pqxx::transaction_base& tx, const std::string& sql,
                                      bool projection) {
    return (projection ? projection_statements_ : runtime_statements_).name_on(tx.conn(), sql);
}

pqxx::result Projector::exec(pqxx::transaction_base& tx, const pg::Statement& statement) {
    return pg::exec(tx, projection_statements_, statement);
}

std::unique_ptr<pqxx::connection> connect_to(const std::string& database_url,
                                             const std::string& schema) {
    auto connection = std::make_unique<pqxx::connection>(database_url);
    pqxx::nontransaction tx(*connection);
    tx.exec("SET search_path TO " + generations::search_path(tx, schema));
    // Projections are derived from the log, which is durable on its own:
    // a batch's commit need not wait for the disk. A server crash loses at
    // most the last moments of batches, rows and checkpoint together (the
    // WAL keeps commit order), and the projector applies them again from
    // the checkpoint that survived. Appends to the log stay synchronous.
    tx.exec("SET synchronous_commit TO off");
    return connection;
}

Projector::Projector(ProjectorOptions options)
    : options_(std::move(options)),
      connections_(std::max<std::size_t>(1, options_.workers)),
      checkpoint_connection_(connect_to(options_.database_url, options_.schema)) {
    // The first worker's connection at once: a database out of reach fails
    // here, as before; the others open on their first batch.
    connections_.front() = connect_to(options_.database_url, options_.schema);
}

Projector::~Projector() = default;

pqxx::connection& Projector::open(std::unique_ptr<pqxx::connection>& connection) {
    // A session the server ended (a restart, a failover) is replaced rather
    // than left to libpqxx 6's implicit reactivation, which does not always
    // bring it back; throws while the database cannot be reached.
    if (!connection || !connection->is_open()) {
        connection.reset();
        connection = connect_to(options_.database_url, options_.schema);
    }
    return *connection;
}

std::int64_t Projector::checkpoint(int partition) {
    pqxx::read_transaction tx(open(checkpoint_connection_));
    const auto rows = tx.exec_params(
        "SELECT next_offset FROM projection_checkpoints WHERE projection = $1 AND topic = $2 AND "
        "partition = $3",
        options_.projection, options_.topic, partition);
    return rows.empty() ? 0 : rows[0][0].as<std::int64_t>();
}

BatchResult Projector::apply_batch(int partition, const std::vector<eventlog::LogRecord>& records,
                                   std::size_t worker) {
    BatchResult result;
    if (records.empty()) return result;
    auto& connection = open(connections_.at(worker));
    std::span<const eventlog::LogRecord> rest(records);
    // A partition that stopped to wait for a reference starts again with
    // the waiting event alone: while the reference is still missing, each
    // retry costs that event, not a failed attempt at the whole batch.
    const bool was_waiting = [&] {
        std::lock_guard lock(partitions_mutex_);
        const auto waiting = waiting_at_.find(partition);
        return waiting != waiting_at_.end() && records.front().offset == waiting->second;
    }();
    if (was_waiting) {
        result = *apply_decoded(connection, partition, {decode(records.front())}, false);
        rest = rest.subspan(1);
    }
    if (!result.waiting_for_reference && !rest.empty()) {
        std::vector<Decoded> batch;
        batch.reserve(rest.size());
        for (const auto& record : rest) batch.push_back(decode(record));
        auto applied = apply_decoded(connection, partition, batch, true);
        if (!applied) {
            applied = apply_decoded(connection, partition, batch, false);
            applied->split = true;
        }
        result.applied += applied->applied;
        result.dead_lettered += applied->dead_lettered;
        result.waiting_for_reference = applied->waiting_for_reference;
        result.split = applied->split;
        result.next_offset = applied->next_offset;
        if (applied->last_occurred_at) result.last_occurred_at = applied->last_occurred_at;
    }
    {
        std::lock_guard lock(partitions_mutex_);
        if (result.waiting_for_reference) {
            waiting_at_[partition] = result.next_offset;
        } else {
            waiting_at_.erase(partition);
        }
        if (result.last_occurred_at) last_occurred_at_[partition] = *result.last_occurred_at;
    }
    auto& metrics = ProjectorMetrics::get(options_.access_stream);
    metrics.checkpoint.Add(ProjectorMetrics::of(partition))
        .Set(static_cast<double>(result.next_offset));
    if (result.last_occurred_at) {
        // Commands arrive in bursts and batches apply them together: the
        // batch's newest event stands for it (one observation per batch).
        metrics.delay.Observe(seconds_since(*result.last_occurred_at));
    }
    metrics.applied.Increment(static_cast<double>(result.applied));
    metrics.dead_lettered.Increment(static_cast<double>(result.dead_lettered));
    if (result.waiting_for_reference) metrics.reference_waits.Increment();
    if (result.split) metrics.split.Increment();
    return result;
}

std::optional<BatchResult> Projector::apply_decoded(pqxx::connection& connection, int partition,
                                                    const std::vector<Decoded>& batch,
                                                    bool together) {
    BatchResult result;
    pqxx::work tx(connection);
    if (options_.generation_id != 0) {
        // The generation's guard, shared: a switch or a drop takes it
        // exclusively, so it waits for this batch, and a batch that starts
        // after it sees the state it left (a statement of its own: one
        // statement's snapshot is taken before its lock waits).
        tx.exec_prepared(statement_name(tx, "SELECT pg_advisory_xact_lock_shared($1, $2::integer)"),
                         generations::kGuardLockClass, options_.generation_id);
        // Before any projection table is named: a dropped generation has none.
        if (tx.exec_prepared(statement_name(tx,
                                            "SELECT FROM projection_generations WHERE id = $1 "
                                            "AND state = $2"),
                             options_.generation_id,
                             std::string(options_.builder ? "building" : "current"))
                .empty()) {
            throw GenerationLeft();
        }
    }
    // The batch's chains, locked with the checkpoint row in one statement;
    // when the batch is applied in parts, whatever part comes first.
    std::vector<const projection::Statement*> every_statement;
    for (const auto& event : batch) {
        for (const auto& statement : event.statements) every_statement.push_back(&statement);
    }
    const auto chains = chains_of(every_statement, partition);
    const auto chain_keys = chain_key_arrays(chains);
    // Heads in memory change only after a together attempt commits. Parts
    // link from the table's heads (a together attempt failed, perhaps on a
    // stale one), and what they commit is not kept: the chains' next batch
    // reads them again.
    if (!together) chain_heads_.forget(chains);
    audit::Heads moved_heads;
    // The checkpoint row is the batch's guard: a second projector on the same
    // partition (a rebalance race) blocks here instead of applying twice.
    // The chains' locks come after it, within the same statement (the count
    // yields once they are all taken).
    const auto stored =
        tx.exec_prepared(
              statement_name(
                  tx,
                  "WITH guard AS (INSERT INTO projection_checkpoints (projection, topic, "
                  "partition, next_offset) VALUES ($1, $2, $3, 0) ON CONFLICT (projection, "
                  "topic, partition) DO UPDATE SET updated_at = "
                  "projection_checkpoints.updated_at RETURNING next_offset) "
                  "SELECT g.next_offset, (" +
                      lock_chains_sql(4) + ") FROM guard g"),
              options_.projection, options_.topic, partition, chain_keys[0], chain_keys[1])[0][0]
            .as<std::int64_t>();
    std::vector<const Decoded*> pending;  // the events not applied yet, in order
    for (const auto& event : batch) {
        if (event.record->offset >= stored) pending.push_back(&event);
    }
    std::int64_t next = stored;
    const auto park = [&](const Decoded& event, const std::string& reason) {
        const auto* envelope = event.envelope ? &*event.envelope : nullptr;
        tx.exec_prepared(
            statement_name(tx,
                           "INSERT INTO dead_letters (projection, topic, partition, \"offset\", "
                           "event_id, event_type, reason, value) VALUES ($1, $2, $3, $4, "
                           "$5::uuid, $6, $7, $8) ON CONFLICT DO NOTHING"),
            options_.projection, options_.topic, partition, event.record->offset,
            envelope ? std::optional(envelope->event_id.to_string()) : std::nullopt,
            envelope ? std::optional(envelope->event_type) : std::nullopt, reason,
            event.record->value);
        obs::error(
            "event parked in dead_letters",
            {{"partition", partition}, {"offset", event.record->offset}, {"reason", reason}});
        ++result.dead_lettered;
    };
    // pending[from, to) in a few set-based statements. Together, the links
    // start from the heads known and go with the checkpoint's statement;
    // in parts, each part's links are inserted with it, from the table's heads.
    std::optional<pg::Statement> links;
    const auto apply = [&](std::size_t from, std::size_t to) {
        std::vector<const projection::Statement*> statements;
        for (auto i = from; i < to; ++i) {
            for (const auto& statement : pending[i]->statements) statements.push_back(&statement);
        }
        StoredAuditRows audit_rows;
        for (const auto& statement : projection::plan(statements)) {
            audit_rows.add(statement, exec(tx, statement));
        }
        if (together) {
            moved_heads = chain_heads_.of(chains);
            links =
                chain_links(tx, statements, audit_rows, partition, chain_statements_, moved_heads);
            return;
        }
        audit::Heads heads;
        if (const auto insert =
                chain_links(tx, statements, audit_rows, partition, chain_statements_, heads)) {
            exec(tx, *insert);
        }
    };
    // Once pending[from, to) is applied: the unreadable among them parked.
    const auto applied = [&](std::size_t from, std::size_t to) {
        for (auto i = from; i < to; ++i) {
            const auto& event = *pending[i];
            // The reader delivers a partition in order, so an offset past
            // `next` means no record took the ones between: on Kafka, each
            // transaction's commit marker takes an offset.
            next = event.record->offset + 1;
            if (!event.unreadable.empty()) {
                park(event, event.unreadable);
                continue;
            }
            ++result.applied;
            result.last_occurred_at = event.envelope->occurred_at;
        }
    };
    // Notified in the same statement (generations::kCheckpointChannel): no
    // round trip more, and heard only once the batch commits. The links of
    // a batch applied together go in it too.
    const auto move_checkpoint = [&] {
        if (next == stored && !links) return;
        static const std::string move =
            "moved AS (UPDATE projection_checkpoints SET next_offset = $4, updated_at = now() "
            "WHERE projection = $1 AND topic = $2 AND partition = $3 RETURNING partition, "
            "next_offset) SELECT pg_notify('" +
            std::string(generations::kCheckpointChannel) +
            "', json_build_object('schema', current_schema(), 'projection', $1::text, 'topic', "
            "$2::text, 'partition', partition, 'next_offset', next_offset)::text) FROM moved";
        static const std::string move_alone = "WITH " + move;
        static const std::string move_with_links =
            "WITH chained AS (" + insert_links_sql(5) + "), " + move;
        pg::Statement statement{
            links ? move_with_links : move_alone,
            {options_.projection, options_.topic, std::to_string(partition), std::to_string(next)}};
        if (links) {
            for (auto& column : links->params) statement.params.push_back(std::move(column));
            links.reset();
        }
        pg::exec(tx, runtime_statements_, statement);
    };
    if (together) {
        try {
            apply(0, pending.size());
            applied(0, pending.size());
            move_checkpoint();
        } catch (const pqxx::sql_error& e) {
            tx.abort();
            obs::info("batch split to isolate a failing event",
                      {{"partition", partition},
                       {"events", static_cast<std::int64_t>(pending.size())},
                       {"error", std::string(e.sqlstate()) + ": " + e.what()}});
            return std::nullopt;
        }
    } else {
        // Halves until the failing event stands alone, each part under a
        // savepoint: the events before it commit in sets, it is parked or
        // waited for, and the partition goes on after it unless it waits.
        // False once the partition waits.
        std::function<bool(std::size_t, std::size_t, bool)> isolate =
            [&](std::size_t from, std::size_t to, bool failed) -> bool {
            if (to - from > 1) {
                if (!failed) {
                    tx.exec("SAVEPOINT part");
                    try {
                        apply(from, to);
                        tx.exec("RELEASE SAVEPOINT part");
                        applied(from, to);
                        return true;
                    } catch (const pqxx::sql_error&) {
                        tx.exec("ROLLBACK TO SAVEPOINT part");
                        tx.exec("RELEASE SAVEPOINT part");
                    }
                }
                const auto middle = from + (to - from) / 2;
                return isolate(from, middle, false) && isolate(middle, to, false);
            }
            if (from == to) return true;
            const auto& event = *pending[from];
            if (!event.unreadable.empty()) {
                applied(from, to);
                return true;
            }
            // A savepoint per event: a failing event is undone alone.
            tx.exec("SAVEPOINT event");
            try {
                apply(from, to);
                tx.exec("RELEASE SAVEPOINT event");
            } catch (const pqxx::foreign_key_violation&) {
                // A row this event refers to lives in another partition that
                // has not got there yet: keep what came before and wait.
                tx.exec("ROLLBACK TO SAVEPOINT event");
                result.waiting_for_reference = true;
                next = event.record->offset;
                return false;
            } catch (const pqxx::sql_error& e) {
                if (!is_permanent(e)) throw;
                tx.exec("ROLLBACK TO SAVEPOINT event");
                next = event.record->offset + 1;
                park(event, std::string(e.sqlstate()) + ": " + e.what());
                return true;
            }
            applied(from, to);
            return true;
        };
        // Split at once when the whole batch is known to fail; a batch of
        // one (a waiting event tried again) is tried as it is.
        isolate(0, pending.size(), pending.size() > 1);
        move_checkpoint();
    }
    tx.commit();
    if (together) chain_heads_.remember(moved_heads);
    result.next_offset = next;
    return result;
}

struct Projector::Outcome {
    int partition = 0;
    std::int64_t first_offset = 0;
    std::int64_t last_offset = 0;
    std::optional<BatchResult> result;  // unset: nothing of the batch is known to be applied
    bool left = false;                  // the generation left the state served
    std::string failure;
};

std::vector<Projector::Outcome> Projector::apply_round(
    std::vector<std::pair<int, std::vector<eventlog::LogRecord>>>& batches) {
    std::vector<Outcome> outcomes(batches.size());
    const auto apply = [&](std::size_t i, std::size_t worker) {
        auto& [partition, batch] = batches[i];
        auto& outcome = outcomes[i];
        outcome.partition = partition;
        outcome.first_offset = batch.front().offset;
        outcome.last_offset = batch.back().offset;
        try {
            outcome.result = apply_batch(partition, batch, worker);
        } catch (const GenerationLeft&) {
            outcome.left = true;
        } catch (const std::exception& e) {
            // A session that failed is opened anew on the next batch.
            outcome.failure = e.what();
        }
    };
    // Worker w takes batches w, w + workers, ...; the first runs here, so a
    // round of one partition (a quiet log) costs no thread.
    const auto lanes = std::min(batches.size(), connections_.size());
    std::vector<std::thread> threads;
    threads.reserve(lanes > 0 ? lanes - 1 : 0);
    const auto lane = [&](std::size_t worker) {
        for (std::size_t i = worker; i < batches.size(); i += lanes) apply(i, worker);
    };
    for (std::size_t worker = 1; worker < lanes; ++worker) threads.emplace_back(lane, worker);
    if (lanes > 0) lane(0);
    for (auto& thread : threads) thread.join();
    return outcomes;
}

std::optional<Error> Projector::gather_more(eventlog::LogReader& reader,
                                            std::vector<eventlog::LogRecord>& records) {
    if (records.empty() || options_.gather.count() <= 0) return std::nullopt;
    const auto until = std::chrono::steady_clock::now() + options_.gather;
    while (records.size() < options_.batch_size) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        auto more = reader.poll(options_.batch_size - records.size(), left);
        if (!more) return std::move(more).error();
        std::move(more->begin(), more->end(), std::back_inserter(records));
    }
    return std::nullopt;
}

Result<std::size_t> Projector::run_once(eventlog::LogReader& reader,
                                        std::chrono::milliseconds wait) {
    auto records = reader.poll(options_.batch_size, wait);
    if (!records) return std::move(records).error();
    // A poll that fails while gathering ends it: what is in hand is
    // applied, and the round then reports the failure, as a failed poll does.
    auto failed = gather_more(reader, *records);
    std::map<int, std::vector<eventlog::LogRecord>> by_partition;
    for (auto& record : *records) by_partition[record.partition].push_back(std::move(record));
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::pair<int, std::vector<eventlog::LogRecord>>> batches;
    for (auto& [partition, batch] : by_partition) {
        if (options_.admit) {
            batch.resize(std::min(batch.size(), options_.admit(partition, batch)));
            if (batch.empty()) continue;
        }
        if (auto it = waiting_until_.find(partition);
            it != waiting_until_.end() && now < it->second) {
            reader.seek(partition, batch.front().offset);
            continue;
        }
        waiting_until_.erase(partition);
        batches.emplace_back(partition, std::move(batch));
    }
    std::size_t handled = 0;
    for (const auto& outcome : apply_round(batches)) {
        if (outcome.left) {
            // Nothing of this round applies any more: whoever serves the
            // generation now reads from its checkpoints.
            left_ = true;
            reader.seek(outcome.partition, outcome.first_offset);
            continue;
        }
        if (!outcome.result) {
            // Nothing of the batch is known to be applied: it is read again
            // whole (what the checkpoint already covers is skipped then),
            // without asking the database where the checkpoint is.
            obs::error("batch failed; will retry",
                       {{"partition", outcome.partition}, {"error", outcome.failure}});
            reader.seek(outcome.partition, outcome.first_offset);
            failed = Error::make(ErrorKind::unavailable, "projection-failed", outcome.failure);
            continue;
        }
        handled += outcome.result->applied + outcome.result->dead_lettered;
        // Whatever was not applied is read again from the checkpoint.
        if (const auto next = outcome.result->next_offset; next <= outcome.last_offset) {
            reader.seek(outcome.partition, next);
            waiting_until_[outcome.partition] = now + options_.reference_retry;
        }
    }
    if (failed) return std::move(*failed);
    return handled;
}

void Projector::run(eventlog::LogReader& reader, const std::atomic<bool>& stop) {
    // After a failed round (the database or the log out of reach) the next
    // one waits, twice as long each time up to the cap: an outage costs a
    // few attempts a second at most, and the end of a short one is seen at once.
    constexpr auto kFirstRetry = std::chrono::milliseconds(50);
    constexpr auto kLongestRetry = std::chrono::milliseconds(2000);
    auto retry = kFirstRetry;
    while (!stop.load() && !left_.load()) {
        std::string failure;
        try {
            auto handled = run_once(reader, std::chrono::milliseconds(500));
            if (!handled) failure = handled.error().detail;
        } catch (const std::exception& e) {
            failure = e.what();
        }
        healthy_ = failure.empty();
        owns_partitions_ = !reader.owned_partitions().empty();
        publish_lag(reader);
        if (failure.empty()) {
            if (retry != kFirstRetry) obs::warn("projector rounds succeed again after failures");
            retry = kFirstRetry;
            continue;
        }
        obs::error("projector round failed; retrying",
                   {{"error", failure}, {"retry_ms", static_cast<std::int64_t>(retry.count())}});
        // Sessions that sat idle through an outage would each fail once
        // more after it, a round and a backoff apiece: open them anew.
        for (auto& connection : connections_) connection.reset();
        checkpoint_connection_.reset();
        for (const auto until = std::chrono::steady_clock::now() + retry;
             !stop.load() && std::chrono::steady_clock::now() < until;) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        retry = std::min(retry * 2, kLongestRetry);
    }
}

// At most once a second: the log's ends cost a query (PostgreSQL) or a
// ListOffsets request (Kafka).
void Projector::publish_lag(eventlog::LogReader& reader) {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_lag_check_) return;
    next_lag_check_ = now + std::chrono::seconds(1);
    const auto ends = reader.end_offsets();
    if (!ends) return;
    auto& metrics = ProjectorMetrics::get(options_.access_stream);
    for (const auto& [partition, next] : reader.positions()) {
        if (partition < 0 || static_cast<std::size_t>(partition) >= ends->size()) continue;
        const auto behind =
            std::max<std::int64_t>(0, (*ends)[static_cast<std::size_t>(partition)] - next);
        metrics.lag_events.Add(ProjectorMetrics::of(partition)).Set(static_cast<double>(behind));
        std::optional<Timestamp> last;
        {
            std::lock_guard lock(partitions_mutex_);
            if (const auto it = last_occurred_at_.find(partition); it != last_occurred_at_.end())
                last = it->second;
        }
        metrics.lag_seconds.Add(ProjectorMetrics::of(partition))
            .Set(behind == 0 || !last ? 0.0 : seconds_since(*last));
    }
}

}  // namespace cc::projector
