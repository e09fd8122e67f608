#include "events/access.hpp"

#include <array>

#include "platform/core/json.hpp"

namespace cc::events::access {
namespace {

constexpr std::array<AccessType, 3> kTypes{{
    {Kind::view, "RecordViewed", "view",
     "A caller was answered one patient-identifiable record (an item, its history or its "
     "content)."},
    {Kind::search, "RecordsSearched", "search",
     "A caller was answered a list or search of patient-identifiable records: every id on the "
     "page."},
    {Kind::denied, "AccessDenied", "denied",
     "A request was refused: 401, 403, or 404 on a record or tenant the caller may not see or "
     "that does not exist."},
}};

Error bad(const Envelope& event, const std::string& why) {
    return Error::make(ErrorKind::malformed, "bad-payload", event.event_type + " payload: " + why);
}

bool credential_name(std::string_view name) {
    std::string lower;
    for (const char c : name) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    for (const std::string_view word :
         {"token", "secret", "password", "authorization", "apikey", "api_key"}) {
        if (lower.find(word) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

std::span<const AccessType> types() {
    return kTypes;
}

const AccessType* find_type(std::string_view event_type) {
    for (const auto& type : kTypes)
        if (type.event_type == event_type) return &type;
    return nullptr;
}

const AccessType& type_of(Kind kind) {
    for (const auto& type : kTypes)
        if (type.kind == kind) return type;
    return kTypes.front();
}

std::string_view stream_of(const Envelope& event) {
    return event.aggregate_type == kAggregateType ? kAccessStream : kChangesStream;
}

Envelope to_envelope(const Fact& fact) {
    Envelope e;
    e.event_id = EventId::generate();
    e.event_type = std::string(type_of(fact.kind).event_type);
    e.schema_version = 1;
    e.tenant_id = fact.tenant;
    e.aggregate_type = std::string(kAggregateType);
    e.aggregate_id = e.event_id.uuid();
    e.aggregate_version = 1;
    e.occurred_at = fact.at;
    e.actor = fact.user;
    e.request = fact.request;
    boost::json::array ids;
    for (const auto& id : fact.entity_ids) ids.emplace_back(id);
    const auto optional = [](const std::optional<std::string>& v) -> boost::json::value {
        if (v) return boost::json::string(*v);
        return nullptr;
    };
    e.payload = {
        {"entity_type", fact.entity_type},
        {"entity_ids", std::move(ids)},
        {"method", fact.method},
        {"path", fact.path},
        {"query", fact.query},
        {"route",
         fact.route.empty() ? boost::json::value(nullptr) : boost::json::value(fact.route)},
        {"status", fact.status},
        {"reason", optional(fact.reason)},
        {"requested_tenant_id", optional(fact.requested_tenant_id)},
    };
    return e;
}

eventlog::OutgoingRecord to_record(const Fact& fact) {
    const auto envelope = to_envelope(fact);
    return {envelope.tenant_id.to_string(),
            serialize(envelope),
            {{std::string(kHeaderEventType), envelope.event_type},
             {std::string(kHeaderTenantId), envelope.tenant_id.to_string()},
             {std::string(kHeaderSchemaVersion), std::to_string(envelope.schema_version)}}};
}

Result<Payload> read_payload(const Envelope& event) {
    Payload out;
    const auto type = json::string_at(event.payload, "entity_type");
    if (!type || type->empty()) return bad(event, "entity_type must be a non-empty string");
    out.entity_type = *type;
    const auto* ids = json::find(event.payload, "entity_ids");
    if (ids == nullptr || !ids->is_array()) return bad(event, "entity_ids must be an array");
    for (const auto& id : ids->as_array()) {
        if (!id.is_string() || !Uuid::parse(id.as_string()))
            return bad(event, "entity_ids must hold UUIDs");
        out.entity_ids.emplace_back(id.as_string());
    }
    for (const std::string_view key : {"method", "path", "query"}) {
        if (!json::string_at(event.payload, key)) return bad(event, std::string(key) + " missing");
    }
    const auto* status = json::find(event.payload, "status");
    if (status == nullptr || !status->is_int64()) return bad(event, "status must be an integer");
    out.details = event.payload;
    return out;
}

std::string without_credentials(std::string_view query) {
    std::string out;
    while (!query.empty()) {
        const auto end = query.find('&');
        const auto pair = query.substr(0, end);
        const auto name = pair.substr(0, pair.find('='));
        if (!pair.empty() && !credential_name(name)) {
            if (!out.empty()) out += '&';
            out += pair;
        }
        if (end == std::string_view::npos) break;
        query.remove_prefix(end + 1);
    }
    return out;
}

}  // namespace cc::events::access
