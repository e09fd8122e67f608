#include "projector/projector.hpp"

#include <prometheus/counter.h>

#include <optional>
#include <pqxx/pqxx>
#include <thread>

#include "events/envelope.hpp"
#include "platform/observability/logger.hpp"
#include "platform/observability/metrics.hpp"
#include "projector/projection/projection.hpp"

namespace cc::projector {
namespace {

struct ProjectorMetrics {
    prometheus::Counter& applied;
    prometheus::Counter& dead_lettered;
    prometheus::Counter& reference_waits;

    static ProjectorMetrics& get() {
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
        static ProjectorMetrics metrics{applied_family.Add({}), dead_family.Add({}),
                                        wait_family.Add({})};
        return metrics;
    }
};

void execute(pqxx::transaction_base& tx, const projection::Statement& statement) {
    tx.exec_params(statement.sql, pqxx::prepare::make_dynamic_params(statement.params));
}

// Errors that retrying cannot mend: the event is parked, the partition goes on.
bool is_permanent(const pqxx::sql_error& e) {
    const std::string state = e.sqlstate();
    // 22: data exception; 23: integrity violation (foreign keys are handled
    // before this, as "wait for the reference").
    return state.rfind("22", 0) == 0 || state.rfind("23", 0) == 0;
}

}  // namespace

Projector::Projector(ProjectorOptions options)
    : options_(std::move(options)),
      connection_(std::make_unique<pqxx::connection>(options_.database_url)),
      checkpoint_connection_(std::make_unique<pqxx::connection>(options_.database_url)) {}

Projector::~Projector() = default;

pqxx::connection& Projector::open(std::unique_ptr<pqxx::connection>& connection) {
    // A session the server ended (a restart, a failover) is replaced rather
    // than left to libpqxx 6's implicit reactivation, which does not always
    // bring it back; throws while the database cannot be reached.
    if (!connection || !connection->is_open()) {
        connection.reset();
        connection = std::make_unique<pqxx::connection>(options_.database_url);
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

BatchResult Projector::apply_batch(int partition, const std::vector<eventlog::LogRecord>& records) {
    BatchResult result;
    if (records.empty()) return result;
    pqxx::work tx(open(connection_));
    // The checkpoint row is the batch's guard: a second projector on the same
    // partition (a rebalance race) blocks here instead of applying twice.
    const auto stored =
        tx.exec_params(
              "INSERT INTO projection_checkpoints (projection, topic, partition, next_offset) "
              "VALUES ($1, $2, $3, 0) ON CONFLICT (projection, topic, partition) "
              "DO UPDATE SET updated_at = projection_checkpoints.updated_at RETURNING next_offset",
              options_.projection, options_.topic, partition)[0][0]
            .as<std::int64_t>();
    std::int64_t next = stored;
    for (const auto& record : records) {
        if (record.offset < next) continue;  // already applied: a redelivery
        if (record.offset > next) break;     // a gap would skip events: stop here
        auto park = [&](const std::string& reason, const events::Envelope* envelope) {
            tx.exec_params(
                "INSERT INTO dead_letters (projection, topic, partition, \"offset\", event_id, "
                "event_type, reason, value) VALUES ($1, $2, $3, $4, $5::uuid, $6, $7, $8) "
                "ON CONFLICT DO NOTHING",
                options_.projection, options_.topic, partition, record.offset,
                envelope ? std::optional(envelope->event_id.to_string()) : std::nullopt,
                envelope ? std::optional(envelope->event_type) : std::nullopt, reason,
                record.value);
            obs::error("event parked in dead_letters",
                       {{"partition", partition}, {"offset", record.offset}, {"reason", reason}});
            ++result.dead_lettered;
        };
        auto envelope = events::parse_envelope(record.value);
        if (!envelope) {
            park(envelope.error().detail, nullptr);
            ++next;
            continue;
        }
        auto statements = projection::project(*envelope);
        if (!statements) {
            park(statements.error().detail, &*envelope);
            ++next;
            continue;
        }
        // A savepoint per event: a failing event is undone alone, and the
        // events before it in the batch still commit.
        tx.exec("SAVEPOINT event");
        try {
            for (const auto& statement : *statements) execute(tx, statement);
            tx.exec("RELEASE SAVEPOINT event");
            ++result.applied;
        } catch (const pqxx::foreign_key_violation&) {
            // A row this event refers to lives in another partition that has
            // not got there yet: keep what came before and wait.
            tx.exec("ROLLBACK TO SAVEPOINT event");
            result.waiting_for_reference = true;
            break;
        } catch (const pqxx::sql_error& e) {
            if (!is_permanent(e)) throw;
            tx.exec("ROLLBACK TO SAVEPOINT event");
            park(std::string(e.sqlstate()) + ": " + e.what(), &*envelope);
        }
        ++next;
    }
    if (next != stored) {
        tx.exec_params(
            "UPDATE projection_checkpoints SET next_offset = $4, updated_at = now() "
            "WHERE projection = $1 AND topic = $2 AND partition = $3",
            options_.projection, options_.topic, partition, next);
    }
    tx.commit();
    result.next_offset = next;
    auto& metrics = ProjectorMetrics::get();
    metrics.applied.Increment(static_cast<double>(result.applied));
    metrics.dead_lettered.Increment(static_cast<double>(result.dead_lettered));
    if (result.waiting_for_reference) metrics.reference_waits.Increment();
    return result;
}

Result<std::size_t> Projector::run_once(eventlog::LogReader& reader,
                                        std::chrono::milliseconds wait) {
    auto records = reader.poll(options_.batch_size, wait);
    if (!records) return std::move(records).error();
    std::map<int, std::vector<eventlog::LogRecord>> by_partition;
    for (auto& record : *records) by_partition[record.partition].push_back(std::move(record));
    std::size_t handled = 0;
    std::optional<Error> failed;
    const auto now = std::chrono::steady_clock::now();
    for (auto& [partition, batch] : by_partition) {
        if (auto it = waiting_until_.find(partition);
            it != waiting_until_.end() && now < it->second) {
            reader.seek(partition, batch.front().offset);
            continue;
        }
        waiting_until_.erase(partition);
        std::int64_t next = 0;
        try {
            const auto result = apply_batch(partition, batch);
            handled += result.applied + result.dead_lettered;
            next = result.next_offset;
        } catch (const std::exception& e) {
            // Nothing of the batch is known to be applied: it is read again
            // whole (what the checkpoint already covers is skipped then),
            // without asking the database where the checkpoint is.
            obs::error("batch failed; will retry", {{"partition", partition}, {"error", e.what()}});
            reader.seek(partition, batch.front().offset);
            failed = Error::make(ErrorKind::unavailable, "projection-failed", e.what());
            continue;
        }
        // Whatever was not applied is read again from the checkpoint.
        if (next <= batch.back().offset) {
            reader.seek(partition, next);
            waiting_until_[partition] = now + options_.reference_retry;
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
    while (!stop.load()) {
        std::string failure;
        try {
            auto handled = run_once(reader, std::chrono::milliseconds(500));
            if (!handled) failure = handled.error().detail;
        } catch (const std::exception& e) {
            failure = e.what();
        }
        healthy_ = failure.empty();
        owns_partitions_ = !reader.owned_partitions().empty();
        if (failure.empty()) {
            if (retry != kFirstRetry) obs::warn("projector rounds succeed again after failures");
            retry = kFirstRetry;
            continue;
        }
        obs::error("projector round failed; retrying",
                   {{"error", failure}, {"retry_ms", static_cast<std::int64_t>(retry.count())}});
        // Sessions that sat idle through an outage would each fail once
        // more after it, a round and a backoff apiece: open them anew.
        connection_.reset();
        checkpoint_connection_.reset();
        for (const auto until = std::chrono::steady_clock::now() + retry;
             !stop.load() && std::chrono::steady_clock::now() < until;) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        retry = std::min(retry * 2, kLongestRetry);
    }
}

}  // namespace cc::projector
