#pragma once
// The write side's whole state, folded from the log: one store per
// described aggregate (the identity core's included) and the idempotency
// index, each fed every event. Deciders read it; only apply() changes it.
#include <optional>
#include <string>

#include "command-service/aggregate/stores.hpp"
#include "command-service/idempotency.hpp"
#include "command-service/identity/registrations.hpp"

namespace cc::command {

struct WriteModel {
    aggregate::Stores entities;
    IdempotencyIndex idempotency;
    identity::Registrations registrations;

    void apply(const events::Envelope& event, const eventlog::Position& position) {
        entities.apply(event);
        idempotency.apply(event, position);
        registrations.apply(event);
    }

    // Group commit decides each command against the effects of those decided
    // before it, while their batch is still being appended. What such an
    // event replaced, to put back should its batch fail.
    struct Replaced {
        std::string aggregate_type;
        Uuid aggregate_id;
        std::optional<aggregate::Record> record;
        std::optional<UserId> registrar;
    };
    // Folds an event whose append is under way into everything but the
    // idempotency index, which records where the event landed: settle() adds
    // it there once it is durable, so a retry is never answered with a
    // position that may not exist.
    Replaced apply_tentatively(const events::Envelope& event) {
        const UserId user(event.aggregate_id);
        Replaced replaced{event.aggregate_type, event.aggregate_id,
                          entities.record_of(event.aggregate_type, event.aggregate_id),
                          registrations.registrar_of(user)};
        entities.apply(event);
        registrations.apply(event);
        return replaced;
    }
    void settle(const events::Envelope& event, const eventlog::Position& position) {
        idempotency.apply(event, position);
    }
    // Undoes apply_tentatively(); undo in the reverse order of applying.
    void undo(const Replaced& replaced) {
        entities.restore(replaced.aggregate_type, replaced.aggregate_id, replaced.record);
        registrations.restore(UserId(replaced.aggregate_id), replaced.registrar);
    }
};

}  // namespace cc::command
