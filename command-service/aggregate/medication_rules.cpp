#include "command-service/aggregate/medication_rules.hpp"

#include <algorithm>
#include <cctype>

#include "command-service/domain/decision.hpp"
#include "command-service/write_model.hpp"
#include "model/aggregates/medications.hpp"

namespace cc::aggregate {
namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Current: not ended before today (ISO dates compare as text).
bool current(std::string_view end_date, const std::string& today) {
    return end_date.empty() || end_date >= today;
}

}  // namespace

Status no_double_entry(const RuleContext& c) {
    const auto today = c.target.now.to_string().substr(0, 10);
    if (!current(value_after_step(c, "end_date"), today)) return {};
    const auto name = lower(value_after_step(c, "name"));
    const auto patient = value_after_step(c, "patient_id");
    const auto& store = *c.model.entities.of(model::kMedication.name);
    for (const auto& [id, record] : store.records()) {
        if (id == c.target.id || record.tenant != c.target.tenant || record.deleted ||
            store.kept(record, "patient_id") != patient ||
            lower(store.kept(record, "name").value_or("")) != name ||
            !current(store.kept(record, "end_date").value_or(""), today)) {
            continue;
        }
        return domain::conflict("duplicate-medication",
                                "the patient already takes " + value_after_step(c, "name") +
                                    " (medication " + id.to_string() + ")",
                                "name");
    }
    return {};
}

Status ends_today_unless_said(const RuleContext& c) {
    const auto* end = c.values.if_contains("end_date");
    if (end == nullptr || end->is_null())
        c.values["end_date"] = c.target.now.to_string().substr(0, 10);
    return {};
}

}  // namespace cc::aggregate
