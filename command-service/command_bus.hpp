#pragma once
// The write side's single writer: it owns the write model (folded from the
// log), serialises decisions, wraps their events in envelopes and appends
// them. A command is answered only once its events are durable.
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "command-service/aggregate/commands.hpp"
#include "command-service/domain/decision.hpp"
#include "command-service/write_model.hpp"
#include "events/envelope.hpp"
#include "platform/eventlog/event_log.hpp"

namespace cc::command {

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

class CommandBus {
  public:
    // `log_wait` bounds what a command waits for the log beyond its own
    // append (CC_LOG_TIMEOUT_MS): another command's append holding the
    // decision lock, and the catch-up after a failed append. Past it the
    // command is answered 503, so no answer waits on a log that is gone.
    CommandBus(std::unique_ptr<eventlog::LogWriter> writer,
               std::unique_ptr<eventlog::LogReader> reader,
               std::chrono::milliseconds log_wait = std::chrono::milliseconds(30'000));

    // Folds every record up to the log's current end into the write model.
    Status catch_up();

    // Authorises, answers a retried Idempotency-Key from the index, decides
    // and appends, all against one state under one lock. authorize() and
    // decide() are found next to each command type (its module's folder).
    template <class Command>
    Result<CommandOutcome> execute(const Command& command, const RequestContext& context) {
        auto lock = lock_caught_up();
        if (!lock) return std::move(lock).error();
        if (!context.by_server) {
            if (auto allowed = authorize(model_, context.caller, command); !allowed) {
                return std::move(allowed).error();
            }
        }
        if (auto prior = replay(context, tenant_scope(command))) return std::move(*prior);
        return commit(decide(model_, command), context);
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

    // Caught up with the log and not fenced; catches up first when a failed
    // append left the model behind (bounded by the log adapter's timeouts).
    bool ready();

    // Reads the write model under the decision lock, e.g. to choose the
    // steps time has made due; they are then taken by execute() like any
    // command, each against the version it was chosen at.
    template <class Read>
    auto read(Read&& read) const {
        std::lock_guard lock(mutex_);
        return read(model_);
    }

  private:
    using Lock = std::unique_lock<std::timed_mutex>;
    // The decision lock, once the model has caught up with the log after a
    // failed append; an error (503) when either takes longer than log_wait_.
    Result<Lock> lock_caught_up();
    // Folds the log into the model up to its current end, or until
    // `deadline` (a partial catch-up is kept: the next one goes on from there).
    Status catch_up_locked(std::chrono::steady_clock::time_point deadline =
                               std::chrono::steady_clock::time_point::max());
    Result<CommandOutcome> commit(Result<domain::Decision> decision, const RequestContext& context);
    std::optional<Result<CommandOutcome>> replay(const RequestContext& context,
                                                 const TenantId& scope) const;
    void apply(const eventlog::LogRecord& record, const events::Envelope& envelope);

    std::unique_ptr<eventlog::LogWriter> writer_;
    std::unique_ptr<eventlog::LogReader> reader_;
    WriteModel model_;
    // Next offset folded into the model, per partition: records the model
    // already holds (its own appends) are not folded twice on catch-up.
    std::vector<std::int64_t> applied_;
    bool needs_catch_up_ = true;
    bool fenced_ = false;
    std::chrono::milliseconds log_wait_;
    mutable std::timed_mutex mutex_;
};

// The partition key: the tenant for tenant-scoped events, the aggregate itself
// for platform-level ones (users), so each tenant's history is one ordered stream.
std::string partition_key(const domain::PendingEvent& event);

}  // namespace cc::command
