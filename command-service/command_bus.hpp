#pragma once
// The write side's single writer: it owns the write model (folded from the
// log), serialises decisions, wraps their events in envelopes and appends
// them in batches (group commit). A command is answered only once its events
// are durable.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "command-service/aggregate/commands.hpp"
#include "command-service/domain/decision.hpp"
#include "command-service/fold.hpp"
#include "command-service/log_tail.hpp"
#include "command-service/snapshot.hpp"
#include "command-service/write_model.hpp"
#include "events/envelope.hpp"
#include "platform/eventlog/event_log.hpp"

namespace cc::command {

class SnapshotMaker;

// Who is asking and from where; travels in every envelope (actor = the
// verified token's subject).
struct RequestContext {
    auth::Caller caller;
    events::RequestMetadata request;
    std::optional<Uuid> correlation_id;
    // The command service acting on its own because time passed (the
    // overdue scheduler): no caller to authorise, so `caller` is unused and
    // the events' actor is null, as the envelope schema says of events the
    // system produced (audit_logs.user_id is NULL; user_agent says which part).
    bool by_server = false;
};

// The tenant a command acts inside (its `tenant` member), or the platform for
// platform-level commands (tenants themselves, users). Idempotency-Keys are
// scoped by it, matching IdempotencyIndex::scope_of on the events.
template <class Command>
TenantId tenant_scope(const Command& command) {
    if constexpr (requires { command.target.tenant; }) {
        return command.target.aggregate->scope == model::Scope::tenant ? command.target.tenant
                                                                       : kPlatformTenant;
    } else if constexpr (requires { command.tenant; }) {
        return command.tenant;
    } else {
        return kPlatformTenant;
    }
}

// Group commit: commands are decided one at a time, in arrival order, each
// against the effects of every command decided before it (uniqueness across
// the tenant and the platform, versions), which the write model holds
// tentatively until they are durable. Their events queue in one batch; one
// committer thread appends a batch at a time, all of it in one atomic append
// (LogWriter::append_all: one PostgreSQL or Kafka transaction, whatever
// partitions it spans), while the next batch fills. Each command is answered
// once its batch is durable. Deciding is in-memory work of microseconds under
// the bus's lock; the append, which is what takes time, is outside it.
//
// A failed append fails every command of its batch and of the batch filling
// behind it (they were decided against its effects), puts the write model
// back as the log has it, and re-reads the log's tail before the next
// decision (a failure may leave the outcome unknown). Answers decided against
// effects not yet durable (a 409 against a tentative holder, a no-op) wait
// for those effects too, and fail with them.
class CommandBus {
  public:
    // `log_wait` bounds what a command waits for the log beyond its own
    // append (CC_LOG_TIMEOUT_MS): the catch-up after a failed append, which
    // holds the decision lock. Past it the command is answered 503, so no
    // answer waits on a log that is gone.
    //
    // With `from`, the write model starts as that snapshot, and the reader
    // must start each partition at its next offset: catch_up() folds the
    // tail (snapshot::resume gives both). With `snapshots`, the bus counts
    // the events it folds or makes durable towards its periodic snapshots,
    // which it never waits for, and writes the last one at shutdown.
    CommandBus(std::unique_ptr<eventlog::LogWriter> writer,
               std::unique_ptr<eventlog::LogReader> reader,
               std::chrono::milliseconds log_wait = std::chrono::milliseconds(30'000),
               std::unique_ptr<SnapshotMaker> snapshots = nullptr,
               std::optional<snapshot::Loaded> from = std::nullopt);

    // Lets the batches under way finish, then stops the committer.
    ~CommandBus();
    CommandBus(const CommandBus&) = delete;
    CommandBus& operator=(const CommandBus&) = delete;

    // Folds every record up to the log's current end into the write model.
    Status catch_up();

    // Called once with a command's answer: at once when it is known without
    // an append (a refusal, a replayed Idempotency-Key), else on the
    // committer's thread once its batch is durable (or failed). It must not
    // block: it hands the answer on (an HTTP response to its connection).
    using Answer = std::function<void(Result<CommandOutcome>)>;

    // Authorises, answers a retried Idempotency-Key from the index, decides
    // and appends, all against one state; `done` gets the answer. No thread
    // waits for the append meanwhile. On a thread that must not block
    // (NoBlocking), it may decline instead: `done` is then dropped uncalled.
    // authorize() and decide() are found next to each command type (its
    // module's folder).
    template <class Command>
    void execute_async(const Command& command, const RequestContext& context, Answer done) {
        submit(
            context, tenant_scope(command),
            [&](const WriteModel& model) -> Status {
                if (context.by_server) return {};
                return authorize(model, context.caller, command);
            },
            [&](const WriteModel& model) { return decide(model, command); }, std::move(done));
    }

    // execute_async(), waiting for the answer: for callers with a thread of
    // their own to spend (start-up, the schedulers, uploads).
    template <class Command>
    Result<CommandOutcome> execute(const Command& command, const RequestContext& context) {
        return answered([&](Answer done) { execute_async(command, context, std::move(done)); });
    }

    // The checks execute() makes before it appends, without appending: what
    // a command that first does slow work (an upload writes its file) asks
    // so that a refused caller or a doomed command costs nothing.
    // authorized(): the caller may take the step. check(): everything but
    // the append; a stored answer when the Idempotency-Key was seen, else
    // nothing. execute() decides again afterwards: the state may have moved.
    template <class Command>
    Status authorized(const Command& command, const RequestContext& context) {
        auto lock = lock_caught_up();
        if (!lock) return std::move(lock).error();
        return authorize(model_, context.caller, command);
    }
    template <class Command>
    Result<std::optional<CommandOutcome>> check(const Command& command,
                                                const RequestContext& context) {
        auto lock = lock_caught_up();
        if (!lock) return std::move(lock).error();
        if (auto allowed = authorize(model_, context.caller, command); !allowed) {
            return std::move(allowed).error();
        }
        if (auto prior = replay(context, tenant_scope(command))) {
            if (!*prior) return std::move(*prior).error();
            return std::optional<CommandOutcome>(std::move(**prior));
        }
        if (auto decision = decide(model_, command); !decision) {
            return std::move(decision).error();
        }
        return std::optional<CommandOutcome>();
    }

    // Registers each configured platform administrator that has no account
    // yet (UserRegistered, acting as themselves), so that they are users like
    // any other: their actions reference users(id) in audit_logs.
    Status register_operators(const std::vector<UserId>& operators);

    // Registers each built-in module feature (model::builtin_features) that
    // the log does not hold yet (FeatureCreated, by the server), so every
    // installation has them from its first start, as real events.
    Status register_builtin_features();

    // Appends events the service records on its own, outside any caller's
    // permissions (the audit chain's published heads, the built-in
    // features, the operators' accounts): nothing to authorise, decided
    // against the write model, and waited for.
    Result<CommandOutcome> record_by_server(
        const RequestContext& context, const TenantId& scope,
        const std::function<Result<domain::Decision>(const WriteModel&)>& decide_on) {
        return answered([&](Answer done) {
            submit(
                context, scope, [](const WriteModel&) { return Status{}; }, decide_on,
                std::move(done));
        });
    }

    // Caught up with the log and not fenced; catches up first when a failed
    // append left the model behind (bounded by log_wait).
    bool ready();
    int partition_count() const { return writer_->partition_count(); }

    // Writes a snapshot of the live model now, once the batches under way
    // have settled, and waits for it to be durable (graceful shutdown: no
    // periodic one is made after it); nothing when snapshots are off.
    Status write_snapshot();

    // Reads the write model under the decision lock, e.g. to choose the
    // steps time has made due; they are then taken by execute() like any
    // command, each against the version it was chosen at.
    template <class Read>
    auto read(Read&& read) const {
        std::lock_guard lock(mutex_);
        return read(model_);
    }

  private:
    struct Batch;
    // Who sent an Idempotency-Key, in which scope, and the key.
    using Key = std::tuple<UserId, TenantId, std::string>;

    // Decides and appends; on a thread that must not block (NoBlocking),
    // declines instead of waiting for the lock, a catch-up or a retried
    // key's first command, having done nothing and kept no `done`.
    void submit(const RequestContext& context, const TenantId& scope,
                const std::function<Status(const WriteModel&)>& authorise,
                const std::function<Result<domain::Decision>(const WriteModel&)>& decide_on,
                Answer done);
    // Under the lock: the answer when it is known now, else nothing (the
    // command joined the batch filling, with `done`; or, on a thread that
    // must not block, it declined to wait, and `done` stays unused).
    std::optional<Result<CommandOutcome>> submit_locked(
        std::unique_lock<std::mutex>& lock, const RequestContext& context, const TenantId& scope,
        const std::function<Status(const WriteModel&)>& authorise,
        const std::function<Result<domain::Decision>(const WriteModel&)>& decide_on, Answer& done);
    // An answer decided against effects that may not be durable yet waits
    // for them in the batch filling, and fails if they do.
    std::optional<Result<CommandOutcome>> answer_after_pending(Result<CommandOutcome> answer,
                                                               Answer& done);
    // Tells the committer a command joined the batch filling.
    void joined();
    // Runs `start` with an Answer and waits for it.
    static Result<CommandOutcome> answered(const std::function<void(Answer)>& start);
    bool pending() const;
    void commit_batches();
    using Lock = std::unique_lock<std::mutex>;
    // The decision lock, once the model has caught up with the log after a
    // failed append; an error (503) when the catch-up takes longer than log_wait_.
    Result<Lock> lock_caught_up();
    // Folds the log into the model up to its current end, or until
    // `deadline` (a partial catch-up is kept: the next one goes on from there).
    Status catch_up_locked(std::chrono::steady_clock::time_point deadline =
                               std::chrono::steady_clock::time_point::max());
    std::optional<Result<CommandOutcome>> replay(const RequestContext& context,
                                                 const TenantId& scope) const;
    // Events folded or made durable, towards the next periodic snapshot.
    void counted(std::size_t events);

    std::unique_ptr<eventlog::LogWriter> writer_;
    std::unique_ptr<eventlog::LogReader> reader_;
    WriteModel model_;
    LogFolder folder_{model_};
    // How far the model holds the log, durably: records the model already
    // holds (its own appends) are not folded twice on catch-up.
    FoldedUpTo folded_;
    bool needs_catch_up_ = true;
    bool started_ = false;  // the first catch-up done
    bool fenced_ = false;
    std::chrono::milliseconds log_wait_;
    // The batch filling, and whether the one before it is being appended.
    std::unique_ptr<Batch> filling_;
    bool appending_ = false;
    // Idempotency-Keys whose command is in a batch not yet durable: a retry
    // waits for it (batch_settled_), then is answered from the index (or
    // decided afresh).
    std::set<Key> keys_in_flight_;
    bool stopping_ = false;
    std::unique_ptr<SnapshotMaker> snapshots_;
    std::condition_variable batch_filled_;
    std::condition_variable batch_settled_;
    mutable std::mutex mutex_;
    std::thread committer_;
};

// The partition key: the tenant for tenant-scoped events, the aggregate itself
// for platform-level ones (users), so each tenant's history is one ordered stream.
std::string partition_key(const domain::PendingEvent& event);

}  // namespace cc::command
