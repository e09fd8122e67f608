#include "command-service/command_bus.hpp"

#include <prometheus/counter.h>

#include <future>

#include "command-service/aggregate/features.hpp"
#include "command-service/identity/identity.hpp"
#include "command-service/snapshot_maker.hpp"
#include "model/aggregates/features.hpp"
#include "platform/core/no_blocking.hpp"

#include "events/catalogue.hpp"

#include "platform/observability/logger.hpp"
#include "platform/observability/metrics.hpp"

namespace cc::command {

std::string partition_key(const domain::PendingEvent& event) {
    return event.tenant_id == kPlatformTenant ? event.aggregate_id.to_string()
                                              : event.tenant_id.to_string();
}

namespace {

// Commands decided and waiting for their batch to be durable (those of the
// batch being appended and of the one filling behind it): under load, how
// many commands one append carries.
prometheus::Gauge& commands_awaiting_append() {
    static auto& gauge =
        obs::register_gauge("command_bus_commands_awaiting_append",
                            "Commands decided and waiting for their batch to be durable");
    return gauge;
}

// How this instance started: from a snapshot (the events it held) and the
// events folded from the log to catch up.
prometheus::Gauge& start_gauge(const std::string& source) {
    static auto& family = prometheus::BuildGauge()
                              .Name("command_write_model_start_events")
                              .Help(
                                  "Events the write model took at start, by source "
                                  "(snapshot: its position, log: folded from the log)")
                              .Register(obs::metrics_registry());
    return family.Add({{"source", source}});
}

// The time commands wait for the decision lock and the time it is held, by
// what holds it (deciding a command; settling an appended batch): the bus
// serialises every decision, so held time per second says how close that
// single writer is to being what limits the service.
enum class LockHolder { decide, settle };
using LockClock = std::chrono::steady_clock;

struct LockTime {
    prometheus::Counter& waited;
    prometheus::Counter& held;
};

LockTime& decision_lock_time(LockHolder holder) {
    static auto& waited =
        prometheus::BuildCounter()
            .Name("command_decision_lock_wait_seconds_total")
            .Help("Time spent waiting for the write side's decision lock, by holder")
            .Register(obs::metrics_registry());
    static auto& held = prometheus::BuildCounter()
                            .Name("command_decision_lock_held_seconds_total")
                            .Help(
                                "Time the write side's decision lock was held, by holder "
                                "(deciding commands; settling appended batches)")
                            .Register(obs::metrics_registry());
    static LockTime decide{waited.Add({{"holder", "decide"}}), held.Add({{"holder", "decide"}})};
    static LockTime settle{waited.Add({{"holder", "settle"}}), held.Add({{"holder", "settle"}})};
    return holder == LockHolder::decide ? decide : settle;
}

void record_lock_time(LockHolder holder, LockClock::time_point asked, LockClock::time_point got) {
    auto& time = decision_lock_time(holder);
    time.waited.Increment(std::chrono::duration<double>(got - asked).count());
    time.held.Increment(std::chrono::duration<double>(LockClock::now() - got).count());
}

}  // namespace

struct CommandBus::Batch {
    struct Member {
        // Called outside the bus's lock.
        Answer answer;
        // The answer of a command that appends nothing, decided against
        // effects still pending; empty for one whose events are here.
        std::optional<Result<CommandOutcome>> decided;
        CommandOutcome outcome;
        std::size_t part = 0;  // its events' index in `parts`
        std::size_t last = 0;  // its last event's index in that part
    };
    struct Event {
        std::size_t part;
        std::size_t index;
        events::Envelope envelope;
    };
    std::vector<Member> members;
    std::vector<int> partitions;  // per part
    std::vector<std::vector<eventlog::OutgoingRecord>> parts;
    std::vector<Event> events;                   // in decision order
    std::vector<WriteModel::Replaced> replaced;  // in decision order
    std::vector<Key> keys;

    std::size_t part_for(int partition) {
        for (std::size_t i = 0; i < partitions.size(); ++i)
            if (partitions[i] == partition) return i;
        partitions.push_back(partition);
        parts.emplace_back();
        return parts.size() - 1;
    }
};

CommandBus::CommandBus(std::unique_ptr<eventlog::LogWriter> writer,
                       std::unique_ptr<eventlog::LogReader> reader,
                       std::chrono::milliseconds log_wait, std::unique_ptr<SnapshotMaker> snapshots,
                       std::optional<snapshot::Loaded> from)
    : writer_(std::move(writer)),
      reader_(std::move(reader)),
      folded_(static_cast<std::size_t>(writer_->partition_count())),
      log_wait_(log_wait),
      filling_(std::make_unique<Batch>()),
      snapshots_(std::move(snapshots)) {
    start_gauge("snapshot").Set(0);
    start_gauge("log").Set(0);
    if (from && from->next_offsets.size() == folded_.next.size()) {
        model_ = std::move(*from->model);
        folded_.next = from->next_offsets;
        if (from->last_records.size() == folded_.next.size()) {
            folded_.last_records = from->last_records;
        }
        start_gauge("snapshot").Set(static_cast<double>(folded_.total_offset()));
    }
    commands_awaiting_append();
    decision_lock_time(LockHolder::decide);
    committer_ = std::thread([this] { commit_batches(); });
}

CommandBus::~CommandBus() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    batch_filled_.notify_all();
    committer_.join();
}

void CommandBus::counted(std::size_t events) {
    if (snapshots_ && events > 0) snapshots_->counted(static_cast<std::int64_t>(events));
}

Status CommandBus::write_snapshot() {
    if (!snapshots_) return {};
    std::string bytes;
    std::vector<std::int64_t> offsets;
    {
        std::unique_lock lock(mutex_);
        // A command still under way (the overdue scheduler's) settles first.
        batch_settled_.wait(lock, [&] { return !pending(); });
        if (needs_catch_up_) {
            if (auto status = catch_up_locked(); !status) return status;
        }
        bytes = snapshot::encode(model_, folded_.next, snapshots_->log_identity(),
                                 folded_.last_records);
        offsets = folded_.next;
    }
    if (auto status = snapshots_->write_last(offsets, bytes); !status) return status;
    obs::info("write model snapshot written", {{"bytes", bytes.size()}, {"at", "shutdown"}});
    return {};
}

Result<CommandBus::Lock> CommandBus::lock_caught_up() {
    Lock lock(mutex_);
    if (needs_catch_up_) {
        const auto deadline = std::chrono::steady_clock::now() + log_wait_;
        if (auto status = catch_up_locked(deadline); !status) return std::move(status).error();
    }
    return lock;
}

Status CommandBus::catch_up() {
    std::lock_guard lock(mutex_);
    return catch_up_locked();
}

Status CommandBus::register_operators(const std::vector<UserId>& operators) {
    for (const auto& id : operators) {
        if (read([&](const WriteModel& model) {
                return identity::user_record(model, id) != nullptr;
            })) {
            continue;
        }
        RequestContext context;
        context.caller = auth::Caller{id, true};
        context.request.user_agent = "complexcare command-service (operator bootstrap)";
        const auto command = identity::register_user(
            id, json::Body{{{"email", id.to_string() + "@operators.complexcare.invalid"},
                            {"name", "Platform operator"}},
                           {}});
        auto outcome = record_by_server(context, kPlatformTenant, [&](const WriteModel& model) {
            return decide(model, command);
        });
        if (!outcome) return std::move(outcome).error();
        obs::info("registered platform operator", {{"user_id", id.to_string()}});
    }
    return {};
}

Status CommandBus::register_builtin_features() {
    for (const auto& feature : model::builtin_features()) {
        if (read([&](const WriteModel& model) {
                return aggregate::feature_named(model, feature.name).has_value();
            })) {
            continue;
        }
        RequestContext context;
        context.by_server = true;
        context.request.user_agent = "complexcare command-service (built-in features)";
        const aggregate::Create command{
            {&model::kFeature, kPlatformTenant, Uuid::random_v4(), {}, Timestamp::now()},
            json::Body{{{"name", feature.name}, {"description", feature.description}}, {}}};
        auto outcome = record_by_server(context, kPlatformTenant, [&](const WriteModel& model) {
            return decide(model, command);
        });
        if (!outcome) return std::move(outcome).error();
        obs::info("registered built-in feature", {{"feature", std::string(feature.name)}});
    }
    return {};
}

bool CommandBus::ready() {
    // After a failed append only a catch-up makes the model trustworthy
    // again. The next command would make it; readiness makes it too, so a
    // service that gets no commands because it is not ready becomes ready
    // by itself once the log is back.
    auto lock = lock_caught_up();
    if (!lock) {
        obs::warn("not ready: the log cannot be read", {{"error", lock.error().detail}});
        return false;
    }
    return !fenced_;
}

Status CommandBus::catch_up_locked(std::chrono::steady_clock::time_point deadline) {
    auto ends = reader_->end_offsets();
    if (!ends) return std::move(ends).error();
    auto folded = fold_to(*reader_, folder_, folded_, *ends, [&]() -> std::optional<Error> {
        if (std::chrono::steady_clock::now() < deadline) return std::nullopt;
        return Error::make(ErrorKind::unavailable, "log-unavailable",
                           "the log could not be read to its end in time; retry shortly");
    });
    if (!folded) return std::move(folded).error();
    if (needs_catch_up_) obs::info("write model caught up", {{"events", *folded}});
    if (!started_) start_gauge("log").Set(static_cast<double>(*folded));
    started_ = true;
    needs_catch_up_ = false;
    counted(*folded);
    return {};
}

std::optional<Result<CommandOutcome>> CommandBus::replay(const RequestContext& context,
                                                         const TenantId& scope) const {
    const auto& key = context.request.idempotency_key;
    if (!key) return std::nullopt;
    const auto* entry = model_.idempotency.find(context.caller.user, scope, *key);
    if (entry == nullptr) return std::nullopt;
    if (entry->request_hash != context.request.request_hash.value_or("")) {
        Error error = Error::make(ErrorKind::rule_violated, "idempotency-key-reused",
                                  "this Idempotency-Key was used for a different request");
        error.fields.push_back({"Idempotency-Key", "reused", error.detail});
        return Result<CommandOutcome>(std::move(error));
    }
    CommandOutcome outcome = entry->outcome;
    outcome.replayed = true;
    return Result<CommandOutcome>(std::move(outcome));
}

bool CommandBus::pending() const {
    return appending_ || !filling_->members.empty();
}

Result<CommandOutcome> CommandBus::answered(const std::function<void(Answer)>& start) {
    auto answer = std::make_shared<std::promise<Result<CommandOutcome>>>();
    auto future = answer->get_future();
    start([answer](Result<CommandOutcome> outcome) { answer->set_value(std::move(outcome)); });
    return future.get();
}

void CommandBus::joined() {
    commands_awaiting_append().Increment();
    batch_filled_.notify_one();
}

std::optional<Result<CommandOutcome>> CommandBus::answer_after_pending(
    Result<CommandOutcome> answer, Answer& done) {
    if (!pending()) return answer;
    filling_->members.emplace_back(Batch::Member{std::move(done), std::move(answer), {}, 0, 0});
    joined();
    return std::nullopt;
}

void CommandBus::submit(const RequestContext& context, const TenantId& scope,
                        const std::function<Status(const WriteModel&)>& authorise,
                        const std::function<Result<domain::Decision>(const WriteModel&)>& decide_on,
                        Answer done) {
    const auto asked = LockClock::now();
    std::unique_lock lock(mutex_, std::defer_lock);
    if (!NoBlocking::active()) {
        lock.lock();
    } else if (!lock.try_lock()) {
        return NoBlocking::decline();
    }
    const auto got = LockClock::now();
    auto now = submit_locked(lock, context, scope, authorise, decide_on, done);
    lock.unlock();
    record_lock_time(LockHolder::decide, asked, got);
    if (now) done(std::move(*now));
}

std::optional<Result<CommandOutcome>> CommandBus::submit_locked(
    std::unique_lock<std::mutex>& lock, const RequestContext& context, const TenantId& scope,
    const std::function<Status(const WriteModel&)>& authorise,
    const std::function<Result<domain::Decision>(const WriteModel&)>& decide_on, Answer& done) {
    std::optional<Key> key;
    if (context.request.idempotency_key) {
        key.emplace(context.caller.user, scope, *context.request.idempotency_key);
    }
    // Each wait below is declined on a thread that must not block: nothing
    // has been changed yet, and the command is given again where it may wait.
    for (;;) {
        // A failed append left nothing pending: the model is re-read first.
        if (needs_catch_up_) {
            if (NoBlocking::declines()) return std::nullopt;
            const auto deadline = std::chrono::steady_clock::now() + log_wait_;
            if (auto status = catch_up_locked(deadline); !status) return std::move(status).error();
        }
        if (auto allowed = authorise(model_); !allowed) {
            return answer_after_pending(std::move(allowed).error(), done);
        }
        // A retry of a command still being appended: its answer is known
        // once its batch is settled (or, if that failed, it is decided anew).
        if (!key || !keys_in_flight_.contains(*key)) break;
        if (NoBlocking::declines()) return std::nullopt;
        batch_settled_.wait(lock, [&] { return !keys_in_flight_.contains(*key); });
    }
    if (auto prior = replay(context, scope)) return std::move(*prior);

    auto decision = decide_on(model_);
    if (!decision) return answer_after_pending(std::move(decision).error(), done);
    CommandOutcome outcome{decision->aggregate_id, decision->version, std::nullopt, {}, false};
    if (decision->events.empty()) return answer_after_pending(std::move(outcome), done);
    if (fenced_) {
        return Error::make(ErrorKind::unavailable, "writer-fenced",
                           "another command-service instance now owns the log");
    }

    auto& batch = *filling_;
    const auto now = Timestamp::now();
    const std::string partition_by = partition_key(decision->events.front());
    const auto part =
        batch.part_for(eventlog::partition_for(partition_by, writer_->partition_count()));
    auto& records = batch.parts[part];
    for (auto& pending_event : decision->events) {
        events::Envelope e;
        e.event_id = EventId::generate();
        e.event_type = pending_event.event_type;
        // What producers write today; a decider can only emit catalogued types.
        const auto* info = events::find_event_type(pending_event.event_type);
        e.schema_version = info ? info->schema_version : 1;
        e.tenant_id = pending_event.tenant_id;
        e.aggregate_type = pending_event.aggregate_type;
        e.aggregate_id = pending_event.aggregate_id;
        e.aggregate_version = pending_event.aggregate_version;
        e.occurred_at = now;
        e.actor = context.by_server ? std::nullopt : std::optional(context.caller.user);
        e.request = context.request;
        e.correlation_id = context.correlation_id;
        e.payload = std::move(pending_event.payload);
        // Its value is the envelope serialised by the committer, outside
        // this lock: the next decision need not wait for the encoding.
        records.push_back(eventlog::OutgoingRecord{
            partition_by,
            {},
            {{std::string(events::kHeaderEventType), e.event_type},
             {std::string(events::kHeaderTenantId), e.tenant_id.to_string()},
             {std::string(events::kHeaderSchemaVersion), std::to_string(e.schema_version)}}});
        outcome.event_types.push_back(e.event_type);
        // The next decision sees this one's effects, as if it were durable.
        batch.replaced.push_back(model_.apply_tentatively(e));
        batch.events.push_back(Batch::Event{part, records.size() - 1, std::move(e)});
    }
    if (key) {
        keys_in_flight_.insert(*key);
        batch.keys.push_back(*key);
    }
    batch.members.emplace_back(
        Batch::Member{std::move(done), std::nullopt, std::move(outcome), part, records.size() - 1});
    joined();
    return std::nullopt;
}

void CommandBus::commit_batches() {
    std::unique_lock lock(mutex_);
    for (;;) {
        batch_filled_.wait(lock, [&] { return stopping_ || !filling_->members.empty(); });
        if (filling_->members.empty()) return;
        const auto batch = std::exchange(filling_, std::make_unique<Batch>());
        appending_ = true;
        lock.unlock();
        for (const auto& event : batch->events) {
            batch->parts[event.part][event.index].value = events::serialize(event.envelope);
        }
        std::vector<eventlog::PartitionRecords> parts;
        for (std::size_t i = 0; i < batch->parts.size(); ++i) {
            parts.push_back({batch->partitions[i], batch->parts[i]});
        }
        auto offsets = parts.empty() ? Result<std::vector<std::vector<std::int64_t>>>(
                                           std::vector<std::vector<std::int64_t>>{})
                                     : writer_->append_all(parts);
        const auto asked = LockClock::now();
        lock.lock();
        const auto got = LockClock::now();
        appending_ = false;
        // Handed on once the lock is released: the next batch fills meanwhile.
        std::vector<std::pair<Answer, Result<CommandOutcome>>> answers;
        if (offsets) {
            for (std::size_t i = 0; i < parts.size(); ++i) {
                const auto& appended = (*offsets)[i];
                if (!appended.empty()) {
                    folded_.folded(parts[i].partition, appended.back(),
                                   batch->parts[i].back().value);
                }
            }
            for (const auto& event : batch->events) {
                model_.settle(event.envelope,
                              eventlog::Position{batch->partitions[event.part],
                                                 (*offsets)[event.part][event.index]});
            }
            counted(batch->events.size());
            for (auto& member : batch->members) {
                if (member.decided) {
                    answers.emplace_back(std::move(member.answer), std::move(*member.decided));
                    continue;
                }
                member.outcome.position = eventlog::Position{batch->partitions[member.part],
                                                             (*offsets)[member.part][member.last]};
                answers.emplace_back(std::move(member.answer), std::move(member.outcome));
            }
        } else {
            // The batch filling behind this one was decided against its
            // effects: both fail, undone newest first. The outcome may be
            // unknown (a commit that timed out): the log's tail is re-read
            // before the next decision rather than the model trusted.
            const auto& error = offsets.error();
            for (auto it = filling_->replaced.rbegin(); it != filling_->replaced.rend(); ++it) {
                model_.undo(*it);
            }
            for (auto it = batch->replaced.rbegin(); it != batch->replaced.rend(); ++it) {
                model_.undo(*it);
            }
            needs_catch_up_ = true;
            if (error.type == "writer-fenced") fenced_ = true;
            obs::error("append failed", {{"error", error.detail},
                                         {"commands", batch->members.size()},
                                         {"commands_behind", filling_->members.size()}});
            for (auto* failed : {batch.get(), filling_.get()}) {
                for (auto& member : failed->members) {
                    answers.emplace_back(std::move(member.answer), error);
                }
            }
            for (const auto& key : filling_->keys) keys_in_flight_.erase(key);
            filling_ = std::make_unique<Batch>();
        }
        for (const auto& key : batch->keys) keys_in_flight_.erase(key);
        commands_awaiting_append().Decrement(static_cast<double>(answers.size()));
        batch_settled_.notify_all();
        lock.unlock();
        record_lock_time(LockHolder::settle, asked, got);
        for (auto& [done, answer] : answers) {
            try {
                done(std::move(answer));
            } catch (const std::exception& e) {
                // One answer that cannot be handed on must not stop the
                // committer, and with it every command after it.
                obs::error("a command's answer could not be handed on", {{"error", e.what()}});
            }
        }
        lock.lock();
    }
}

}  // namespace cc::command
