#include "projector/projection/entity.hpp"

#include <boost/json.hpp>

namespace cc::projection {
namespace {

Result<Projected> with_changes(Result<Statement> statement, boost::json::object changes) {
    if (!statement) return std::move(statement).error();
    return Projected{{std::move(*statement)}, std::move(changes)};
}

}  // namespace

Result<Projected> created(const TableSpec& spec, const events::Envelope& e, bool tenant_scoped) {
    boost::json::object values = e.payload;
    if (tenant_scoped) values["tenant_id"] = e.tenant_id.to_string();
    return with_changes(insert_row(spec, e, values), creation_changes(e.payload));
}

Result<Projected> updated(const TableSpec& spec, const events::Envelope& e, bool tenant_scoped) {
    const auto* changes = e.payload.if_contains("changes");
    if (changes == nullptr || !changes->is_object()) return bad_payload(e, "missing changes");
    return with_changes(update_row(spec, e, changes->as_object(), tenant_scoped),
                        changes->as_object());
}

Result<Projected> deleted(const TableSpec& spec, const events::Envelope& e, bool tenant_scoped) {
    boost::json::object changes{
        {"deleted_at", boost::json::object{{"old", nullptr}, {"new", e.occurred_at.to_string()}}}};
    return Projected{{soft_delete_row(spec, e, tenant_scoped)}, std::move(changes)};
}

}  // namespace cc::projection
