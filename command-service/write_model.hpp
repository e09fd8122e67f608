#pragma once
// The write side's whole state, folded from the log: one fold per module,
// each fed every event. Deciders read it; only apply() changes it.
#include "command-service/aggregate/stores.hpp"
#include "command-service/idempotency.hpp"
#include "command-service/identity/identity_state.hpp"

namespace cc::command {

struct WriteModel {
    identity::MembershipIndex memberships;
    aggregate::Stores entities;  // every aggregate on the generic commands, tenants and users too
    IdempotencyIndex idempotency;

    void apply(const events::Envelope& event, const eventlog::Position& position) {
        memberships.apply(event);
        entities.apply(event);
        idempotency.apply(event, position);
    }
};

}  // namespace cc::command
