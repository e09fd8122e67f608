#include "command-service/aggregate/clinical_rules.hpp"

#include "command-service/identity/identity.hpp"
#include "command-service/write_model.hpp"
#include "model/aggregates/care.hpp"
#include "model/validate.hpp"

namespace cc::aggregate {
namespace {

// Coordinators record what a colleague dictated or wrote on paper; the
// audit row still names them as the one who entered it.
constexpr auth::RoleSet kWriteForOthers{"admin", "manager"};

// Devices' clocks drift; a note written on a phone a little ahead is fine.
constexpr std::int64_t kClockSlack = std::int64_t{5} * 60 * 1'000'000;

}  // namespace

Status writes_as_self(const RuleContext& c) {
    const auto role = identity::role_in(c.model, c.target.tenant, c.target.actor);
    if (role && kWriteForOthers.contains(*role)) return {};
    const auto& professionals = *c.model.entities.of(model::kCareProfessional.name);
    const auto author = Uuid::parse(value_after_step(c, "care_professional_id"));
    const auto* record = author ? professionals.find(c.target.tenant, *author) : nullptr;
    if (record != nullptr && professionals.kept(*record, "user_id") == c.target.actor.to_string()) {
        return {};
    }
    Error error = Error::make(ErrorKind::forbidden, "not-the-author",
                              "clinicians and carers write only as their own care professional");
    error.fields.push_back({"care_professional_id", "not_the_caller", error.detail});
    return error;
}

Status note_date_not_future(const RuleContext& c) {
    const auto date = Timestamp::parse(value_after_step(c, "note_date"));
    if (date && date->micros() > c.target.now.micros() + kClockSlack) {
        return model::invalid_field("note_date", "in_future",
                                    "note_date may be at most 5 minutes in the future");
    }
    return {};
}

}  // namespace cc::aggregate
