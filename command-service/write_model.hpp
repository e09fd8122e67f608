#pragma once
// The write side's whole state, folded from the log: one store per
// described aggregate (the identity core's included) and the idempotency
// index, each fed every event. Deciders read it; only apply() changes it.
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
};

}  // namespace cc::command
