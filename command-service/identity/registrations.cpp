#include "command-service/identity/registrations.hpp"

#include "model/aggregates/identity.hpp"

#include <algorithm>
#include <vector>

namespace cc::identity {

void Registrations::apply(const events::Envelope& event) {
    apply(event.aggregate_type, event.event_type, event.aggregate_id, event.actor);
}

void Registrations::apply(std::string_view aggregate_type, std::string_view event_type,
                          const Uuid& id, const std::optional<UserId>& actor) {
    if (aggregate_type != model::kUser.name || event_type != model::kUser.created || !actor) {
        return;
    }
    registrars_.insert_or_assign(id, *actor);
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

void Registrations::save(command::snapshot::Out& out) const {
    std::vector<std::pair<Uuid, Uuid>> sorted;
    sorted.reserve(registrars_.size());
    for (const auto& [user, registrar] : registrars_) sorted.emplace_back(user, registrar.uuid());
    std::sort(sorted.begin(), sorted.end());
    out.fixed(static_cast<std::uint64_t>(sorted.size()));
    for (const auto& [user, registrar] : sorted) {
        out.uuid(user);
        out.uuid(registrar);
    }
}

bool Registrations::load(command::snapshot::In& in) {
    registrars_.clear();
    const auto count = in.count(32);
    for (std::uint64_t i = 0; i < count && in.ok(); ++i) {
        const auto user = in.uuid();
        registrars_.insert_or_assign(user, UserId(in.uuid()));
    }
    if (!in.ok()) registrars_.clear();
    return in.ok();
}

}  // namespace cc::identity
