#include "command-service/command_bus.hpp"

#include "command-service/aggregate/features.hpp"
#include "command-service/identity/identity.hpp"
#include "model/aggregates/features.hpp"

#include "events/catalogue.hpp"

#include "platform/observability/logger.hpp"

namespace cc::command {

std::string partition_key(const domain::PendingEvent& event) {
    return event.tenant_id == kPlatformTenant ? event.aggregate_id.to_string()
                                              : event.tenant_id.to_string();
}

CommandBus::CommandBus(std::unique_ptr<eventlog::LogWriter> writer,
                       std::unique_ptr<eventlog::LogReader> reader,
                       std::chrono::milliseconds log_wait)
    : writer_(std::move(writer)),
      reader_(std::move(reader)),
      applied_(static_cast<std::size_t>(writer_->partition_count()), 0),
      log_wait_(log_wait) {}

Result<CommandBus::Lock> CommandBus::lock_caught_up() {
    const auto deadline = std::chrono::steady_clock::now() + log_wait_;
    Lock lock(mutex_, std::defer_lock);
    if (!lock.try_lock_until(deadline)) {
        return Error::make(ErrorKind::unavailable, "log-unavailable",
                           "the log is slow to answer or out of reach; retry shortly");
    }
    if (needs_catch_up_) {
        if (auto status = catch_up_locked(deadline); !status) return std::move(status).error();
    }
    return lock;
}

Status CommandBus::catch_up() {
    std::lock_guard lock(mutex_);
    return catch_up_locked();
}

Status CommandBus::register_operators(const std::vector<UserId>& operators) {
    std::lock_guard lock(mutex_);
    for (const auto& id : operators) {
        if (identity::user_record(model_, id) != nullptr) continue;
        RequestContext context;
        context.caller = auth::Caller{id, true};
        context.request.user_agent = "complexcare command-service (operator bootstrap)";
        const auto command = identity::register_user(
            id, json::Body{{{"email", id.to_string() + "@operators.complexcare.invalid"},
                            {"name", "Platform operator"}},
                           {}});
        auto outcome = commit(decide(model_, command), context);
        if (!outcome) return std::move(outcome).error();
        obs::info("registered platform operator", {{"user_id", id.to_string()}});
    }
    return {};
}

Status CommandBus::register_builtin_features() {
    std::lock_guard lock(mutex_);
    for (const auto& feature : model::builtin_features()) {
        if (aggregate::feature_named(model_, feature.name)) continue;
        RequestContext context;
        context.by_server = true;
        context.request.user_agent = "complexcare command-service (built-in features)";
        const aggregate::Create command{
            {&model::kFeature, kPlatformTenant, Uuid::random_v4(), {}, Timestamp::now()},
            json::Body{{{"name", feature.name}, {"description", feature.description}}, {}}};
        auto outcome = commit(decide(model_, command), context);
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

void CommandBus::apply(const eventlog::LogRecord& record, const events::Envelope& envelope) {
    auto& next = applied_[static_cast<std::size_t>(record.partition)];
    if (record.offset < next) return;
    model_.apply(envelope, eventlog::Position{record.partition, record.offset});
    next = record.offset + 1;
}

Status CommandBus::catch_up_locked(std::chrono::steady_clock::time_point deadline) {
    auto ends = reader_->end_offsets();
    if (!ends) return std::move(ends).error();
    // Compared by the reader's position, not the last record: on Kafka a
    // partition's end also counts transaction markers.
    const auto caught_up = [&] {
        const auto positions = reader_->positions();
        for (std::size_t p = 0; p < ends->size(); ++p) {
            const auto it = positions.find(static_cast<int>(p));
            const auto position = it == positions.end() ? 0 : it->second;
            if (std::max(position, applied_[p]) < (*ends)[p]) return false;
        }
        return true;
    };
    std::size_t folded = 0;
    while (!caught_up()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return Error::make(ErrorKind::unavailable, "log-unavailable",
                               "the log could not be read to its end in time; retry shortly");
        }
        auto records = reader_->poll(1000, std::chrono::milliseconds(200));
        if (!records) return std::move(records).error();
        for (const auto& record : *records) {
            auto envelope = events::parse_envelope(record.value);
            if (!envelope) {
                // The write model must not silently diverge from the log.
                obs::error("unreadable event in the log", {{"partition", record.partition},
                                                           {"offset", record.offset},
                                                           {"error", envelope.error().detail}});
                return Error::make(ErrorKind::unavailable, "log-corrupt",
                                   "the log holds an event this version cannot read");
            }
            apply(record, *envelope);
            ++folded;
        }
    }
    if (needs_catch_up_) obs::info("write model caught up", {{"events", folded}});
    needs_catch_up_ = false;
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

Result<CommandOutcome> CommandBus::commit(Result<domain::Decision> decision,
                                          const RequestContext& context) {
    if (!decision) return std::move(decision).error();
    CommandOutcome outcome{decision->aggregate_id, decision->version, std::nullopt, {}, false};
    if (decision->events.empty()) return outcome;
    if (fenced_) {
        return Error::make(ErrorKind::unavailable, "writer-fenced",
                           "another command-service instance now owns the log");
    }

    const auto now = Timestamp::now();
    std::vector<events::Envelope> envelopes;
    std::vector<eventlog::OutgoingRecord> records;
    const std::string key = partition_key(decision->events.front());
    for (auto& pending : decision->events) {
        events::Envelope e;
        e.event_id = EventId::generate();
        e.event_type = pending.event_type;
        // What producers write today; a decider can only emit catalogued types.
        const auto* info = events::find_event_type(pending.event_type);
        e.schema_version = info ? info->schema_version : 1;
        e.tenant_id = pending.tenant_id;
        e.aggregate_type = pending.aggregate_type;
        e.aggregate_id = pending.aggregate_id;
        e.aggregate_version = pending.aggregate_version;
        e.occurred_at = now;
        e.actor = context.by_server ? std::nullopt : std::optional(context.caller.user);
        e.request = context.request;
        e.correlation_id = context.correlation_id;
        e.payload = std::move(pending.payload);
        records.push_back(eventlog::OutgoingRecord{
            key,
            events::serialize(e),
            {{std::string(events::kHeaderEventType), e.event_type},
             {std::string(events::kHeaderTenantId), e.tenant_id.to_string()},
             {std::string(events::kHeaderSchemaVersion), std::to_string(e.schema_version)}}});
        outcome.event_types.push_back(e.event_type);
        envelopes.push_back(std::move(e));
    }

    const int partition = eventlog::partition_for(key, writer_->partition_count());
    auto offsets = writer_->append(partition, records);
    if (!offsets) {
        // The outcome may be unknown (a commit that timed out): re-read the
        // log before the next decision rather than trust the model.
        needs_catch_up_ = true;
        if (offsets.error().type == "writer-fenced") fenced_ = true;
        obs::error("append failed", {{"error", offsets.error().detail}});
        return std::move(offsets).error();
    }
    for (std::size_t i = 0; i < envelopes.size(); ++i) {
        apply(eventlog::LogRecord{partition, (*offsets)[i], key, {}, {}}, envelopes[i]);
    }
    outcome.position = eventlog::Position{partition, offsets->back()};
    return outcome;
}

}  // namespace cc::command
