#include "command-service/identity/registrations.hpp"

#include "model/aggregates/identity.hpp"

namespace cc::identity {

void Registrations::apply(const events::Envelope& event) {
    if (event.aggregate_type != model::kUser.name || event.event_type != model::kUser.created ||
        !event.actor) {
        return;
    }
    registrars_.insert_or_assign(event.aggregate_id, *event.actor);
}

std::optional<UserId> Registrations::registrar_of(const UserId& user) const {
    const auto it = registrars_.find(user.uuid());
    if (it == registrars_.end()) return std::nullopt;
    return it->second;
}

void Registrations::restore(const UserId& user, const std::optional<UserId>& registrar) {
    if (registrar) {
        registrars_.insert_or_assign(user.uuid(), *registrar);
    } else {
        registrars_.erase(user.uuid());
    }
}

}  // namespace cc::identity
