#pragma once
// Who registered each user account: a tenant admin or manager may enrol the
// account they registered themselves before it belongs to any tenant
// (identity.hpp, Policy::enrolment). Folded from UserRegistered envelopes'
// actors; no field of the users table holds it.
#include <optional>
#include <unordered_map>

#include "command-service/snapshot_codec.hpp"
#include "events/envelope.hpp"

namespace cc::identity {

class Registrations {
  public:
    void apply(const events::Envelope& event);
    void apply(std::string_view aggregate_type, std::string_view event_type, const Uuid& id,
               const std::optional<UserId>& actor);
    // nullopt for an unknown account, or one no user registered (a platform
    // operator configured at start-up).
    std::optional<UserId> registrar_of(const UserId& user) const;
    // Sets (or, with nullopt, forgets) who registered `user`: undoes a
    // registration that never became durable.
    void restore(const UserId& user, const std::optional<UserId>& registrar);

    // For a snapshot; load() replaces the state (empty when it fails).
    void save(command::snapshot::Out& out) const;
    bool load(command::snapshot::In& in);

  private:
    std::unordered_map<Uuid, UserId> registrars_;
};

}  // namespace cc::identity
