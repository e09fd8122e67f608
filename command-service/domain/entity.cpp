#include "command-service/domain/entity.hpp"

#include "model/validate.hpp"

namespace cc::domain {

PendingEvent event(std::string_view type, std::string_view aggregate, const Uuid& id,
                   std::int64_t version, const TenantId& tenant, boost::json::object payload) {
    return PendingEvent{std::string(type), std::string(aggregate), id, version, tenant,
                        std::move(payload)};
}

Decision single(PendingEvent pending) {
    Decision decision;
    decision.aggregate_id = pending.aggregate_id;
    decision.version = pending.aggregate_version;
    decision.events.push_back(std::move(pending));
    return decision;
}

Decision unchanged(const Uuid& id, std::int64_t version) {
    Decision decision;
    decision.aggregate_id = id;
    decision.version = version;
    return decision;
}

const boost::json::object& changes_of(const events::Envelope& e) {
    static const boost::json::object none;
    const auto* changes = e.payload.if_contains("changes");
    return changes && changes->is_object() ? changes->as_object() : none;
}

void fold_entity(EntityState& state, const events::Envelope& e, std::string_view created,
                 std::string_view updated, std::string_view deleted) {
    state.version = e.aggregate_version;
    state.tenant = e.tenant_id;
    if (e.event_type == created) {
        state.fields = e.payload;
    } else if (e.event_type == updated) {
        model::apply_changes(state.fields, changes_of(e));
    } else if (e.event_type == deleted) {
        state.deleted = true;
    }
}

}  // namespace cc::domain
