#pragma once
// The write side's whole state, folded from the log: one fold per module,
// each fed every event. Deciders read it; only apply() changes it.
#include "command-service/care/care_state.hpp"
#include "command-service/idempotency.hpp"
#include "command-service/identity/identity_state.hpp"

namespace cc::command {

struct WriteModel {
    identity::IdentityState identity;
    care::CareState care;
    IdempotencyIndex idempotency;

    void apply(const events::Envelope& event, const eventlog::Position& position) {
        identity.apply(event);
        care.apply(event);
        idempotency.apply(event, position);
    }
};

}  // namespace cc::command
