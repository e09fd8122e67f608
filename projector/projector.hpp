#pragma once
// The projector runtime: reads the log, applies each partition's events in
// order in batched transactions that also store the partition's checkpoint,
// so a crash at any moment neither loses nor doubles a row.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform/core/time.hpp"
#include "platform/eventlog/event_log.hpp"
#include "platform/pg/prepared.hpp"
#include "platform/pg/statement.hpp"
#include "projector/audit_links.hpp"
#include "projector/projection/sql.hpp"

#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/transaction_base>

namespace cc::projector {

struct ProjectorOptions {
    std::string database_url;
    std::string projection = "main";  // checkpoint and dead-letter namespace
    std::string topic;                // the log's name in checkpoints
    std::size_t batch_size = 2000;    // records per poll, shared among the partitions owned
    // How long a partition waits before retrying an event whose reference
    // (a user, a tenant) another partition has not projected yet.
    std::chrono::milliseconds reference_retry{200};
    // The projection generation written to (DESIGN.md, "Read side"): its
    // schema goes first in the search path. With a generation id, every
    // batch takes the generation's guard (shared) and applies only while
    // the generation is in the state this worker serves: current for the
    // live projector, building for a builder. 0: no guard (a database
    // without generations, tests of the apply code alone).
    std::string schema = "public";
    std::int64_t generation_id = 0;
    bool builder = false;
    // How many of a partition's polled records to apply (an as-of replay's
    // cut); the others are dropped, not read again. Unset: all.
    std::function<std::size_t(int partition, const std::vector<eventlog::LogRecord>&)> admit = {};
    // Reads the access stream (events/access.hpp) instead of the domain
    // log: each access fact becomes its audit row alone. Its checkpoints
    // are its own (`topic` names the stream).
    bool access_stream = false;
    // Partitions applied at once, each on a connection of its own. A
    // tenant's events share a partition, and so do its audit chain's rows,
    // so partitions apply side by side without waiting for each other but
    // where a row of another partition is named (users, the platform).
    std::size_t workers = 2;
    // Once a poll has brought some records (fewer than batch_size), how long
    // the round goes on polling for more before it applies them. A batch's
    // transaction costs about the same for 20 rows as for 500, so a stream
    // whose rows nobody waits for (the access stream: a read is answered
    // once its fact is durable in the log, not once it is projected) trades
    // that much staleness for fewer, larger batches. 0: apply at once.
    std::chrono::milliseconds gather{0};
};

// The generation left the state this projector serves (readers switched to
// a rebuild, or it was dropped): the batch applied nothing.
struct GenerationLeft : std::runtime_error {
    GenerationLeft() : std::runtime_error("the projection generation left the state served") {}
};

struct BatchResult {
    std::size_t applied = 0;
    std::size_t dead_lettered = 0;
    bool waiting_for_reference = false;
    // A set-based statement failed, so the batch was applied again in
    // halves until the failing event stood alone.
    bool split = false;
    std::int64_t next_offset = 0;               // the partition's checkpoint after the batch
    std::optional<Timestamp> last_occurred_at;  // of the last event applied
};

class Projector {
  public:
    explicit Projector(ProjectorOptions options);
    ~Projector();

    // The stored checkpoint of a partition (0 when none): where a reader starts.
    std::int64_t checkpoint(int partition);
    // Applies one partition's consecutive records in one transaction, on
    // the connection of `worker` (< ProjectorOptions::workers); partitions
    // may be applied at once on different workers.
    BatchResult apply_batch(int partition, const std::vector<eventlog::LogRecord>& records,
                            std::size_t worker = 0);
    // Polls and applies until `stop` is set or the generation is left.
    void run(eventlog::LogReader& reader, const std::atomic<bool>& stop);
    // One poll-and-apply round; returns how many records were handled.
    Result<std::size_t> run_once(eventlog::LogReader& reader, std::chrono::milliseconds wait);

    bool healthy() const { return healthy_.load(); }
    // The generation left the state served: run() has returned.
    bool left() const { return left_.load(); }
    // Healthy and applying: it owns partitions of the log (on Kafka, once
    // the consumer group has assigned them), so positions it is asked to
    // reach will be reached.
    bool ready() const { return healthy_.load() && owns_partitions_.load(); }

  private:
    pqxx::connection& open(std::unique_ptr<pqxx::connection>& connection);

    // projector_lag_events and projector_lag_seconds per owned partition.
    void publish_lag(eventlog::LogReader& reader);

    struct Decoded;  // a record with its statements, or why it cannot be applied
    Decoded decode(const eventlog::LogRecord& record) const;
    // In one transaction with the checkpoint: every event's statements
    // merged into set-based ones (`together`; nullopt if one fails), or
    // the batch halved under savepoints down to the failing event, which is
    // parked or waited for while the others commit.
    std::optional<BatchResult> apply_decoded(pqxx::connection& connection, int partition,
                                             const std::vector<Decoded>& batch, bool together);
    // Polls on into `records` for up to ProjectorOptions::gather, once it
    // holds some, until a batch's worth is in hand; a poll's failure ends it.
    std::optional<Error> gather_more(eventlog::LogReader& reader,
                                     std::vector<eventlog::LogRecord>& records);
    // What applying a round's batch came to, for the reading thread.
    struct Outcome;
    // The round's batches of several partitions, across the workers.
    std::vector<Outcome> apply_round(
        std::vector<std::pair<int, std::vector<eventlog::LogRecord>>>& batches);
    // The statements that link audit rows into their chains (audit_links.hpp).
    pg::PreparedNames chain_statements_{"cc_chain_", 16};
    // The chains' heads as the batches this projector committed left them.
    KnownChainHeads chain_heads_;
    // Runs SQL prepared on the connection under a name kept per text.
    pqxx::result exec(pqxx::transaction_base& tx, const pg::Statement& statement);
    // The same few statements run batch after batch, prepared by their text
    // (platform/pg/prepared.hpp). Projection texts are bounded by the
    // described tables and the sets of columns updates change; past 256
    // (sets of columns are many in theory) the rest run unprepared (""). The
    // runtime's own few always have a name.
    std::string statement_name(pqxx::transaction_base& tx, const std::string& sql,
                               bool projection = false);
    pg::PreparedNames runtime_statements_{"cc_runtime_", 64};
    pg::PreparedNames projection_statements_{"cc_projector_", 256};
    // Per partition, guarded by partitions_mutex_ (workers apply partitions
    // at once): the offset each stopped at to wait for a reference, and the
    // time of the last event applied.
    std::mutex partitions_mutex_;
    std::map<int, std::int64_t> waiting_at_;
    std::map<int, Timestamp> last_occurred_at_;

    ProjectorOptions options_;
    std::vector<std::unique_ptr<pqxx::connection>> connections_;  // one per worker
    std::unique_ptr<pqxx::connection> checkpoint_connection_;
    std::map<int, std::chrono::steady_clock::time_point> waiting_until_;
    std::chrono::steady_clock::time_point next_lag_check_{};
    std::atomic<bool> healthy_{true};
    std::atomic<bool> owns_partitions_{false};
    std::atomic<bool> left_{false};
};

// A connection whose search path is the generation's schema, then public.
std::unique_ptr<pqxx::connection> connect_to(const std::string& database_url,
                                             const std::string& schema);

}  // namespace cc::projector
