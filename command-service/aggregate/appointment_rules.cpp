#include "command-service/aggregate/appointment_rules.hpp"

#include "command-service/domain/decision.hpp"
#include "command-service/write_model.hpp"
#include "model/aggregates/appointments.hpp"
#include "model/validate.hpp"

namespace cc::aggregate {
namespace {

constexpr auto kMaxVisit = std::int64_t{24} * 3600 * 1'000'000;

// Cancelled and missed visits hold no time on anyone's rota.
bool holds_time(std::string_view state) {
    return state != "cancelled" && state != "no_show";
}

}  // namespace

Status appointment_times(const RuleContext& c) {
    const auto start = Timestamp::parse(value_after_step(c, "start_time"));
    const auto end = Timestamp::parse(value_after_step(c, "end_time"));
    if (!start || !end) return {};  // validation has already named the field
    if (*end <= *start) {
        return model::invalid_field("end_time", "before_start",
                                    "end_time must be after start_time");
    }
    if (end->micros() - start->micros() > kMaxVisit) {
        return model::invalid_field("end_time", "too_long", "a visit lasts at most 24 hours");
    }
    return {};
}

Status carer_free(const RuleContext& c) {
    const auto carer = value_after_step(c, "care_professional_id");
    const auto start = value_after_step(c, "start_time");
    const auto end = value_after_step(c, "end_time");
    if (carer.empty() || start.empty() || end.empty()) return {};
    const auto& store = *c.model.entities.of(model::kAppointment.name);
    for (const auto& [id, record] : store.records()) {
        if (id == c.target.id || record.tenant != c.target.tenant || record.deleted ||
            !holds_time(store.state_name(record)) ||
            store.kept(record, "care_professional_id") != carer) {
            continue;
        }
        const auto other_start = store.kept(record, "start_time").value_or("");
        const auto other_end = store.kept(record, "end_time").value_or("");
        if (start < other_end && other_start < end) {
            return domain::conflict("carer-clash",
                                    "the care professional already has appointment " +
                                        id.to_string() + " from " + std::string(other_start) +
                                        " to " + std::string(other_end),
                                    "care_professional_id");
        }
    }
    return {};
}

Status started_already(const RuleContext& c) {
    const auto start = Timestamp::parse(value_after_step(c, "start_time"));
    if (start && c.target.now < *start) {
        return Error::make(ErrorKind::rule_violated, "too-early",
                           "a visit can be marked missed only once its start time has passed");
    }
    return {};
}

Status no_future_visits(const RuleContext& c) {
    const auto& store = *c.model.entities.of(model::kAppointment.name);
    const auto patient = c.target.id.to_string();
    const auto now = c.target.now.to_string();
    for (const auto& [id, record] : store.records()) {
        const auto state = store.state_name(record);
        if (record.tenant != c.target.tenant || record.deleted ||
            (state != "scheduled" && state != "confirmed") ||
            store.kept(record, "patient_id") != patient ||
            store.kept(record, "start_time").value_or("") <= now) {
            continue;
        }
        return Error::make(ErrorKind::conflict, "patient-has-visits",
                           "the patient still has booked visits, e.g. appointment " +
                               id.to_string() + "; cancel them first");
    }
    return {};
}

}  // namespace cc::aggregate
