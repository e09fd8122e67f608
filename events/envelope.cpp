#include "events/envelope.hpp"

#include <boost/json/serialize.hpp>

#include "platform/core/json.hpp"

namespace cc::events {
namespace {

boost::json::value optional_string(const std::optional<std::string>& value) {
    if (value) return boost::json::string(*value);
    return nullptr;
}

Error bad(std::string_view field, std::string_view why) {
    return Error::make(
        ErrorKind::malformed, "malformed-event",
        std::string("envelope field '") + std::string(field) + "' " + std::string(why));
}

struct Reader {
    const boost::json::object& object;
    std::optional<Error> error;

    const boost::json::value* required(std::string_view key) {
        const auto* value = json::find(object, key);
        if (value == nullptr && !error) error = bad(key, "is missing");
        return value;
    }
    std::string string(std::string_view key) {
        const auto* value = required(key);
        if (value == nullptr) return {};
        if (!value->is_string()) {
            if (!error) error = bad(key, "must be a string");
            return {};
        }
        return std::string(value->as_string());
    }
    std::optional<std::string> optional_string(const boost::json::object& from,
                                               std::string_view key) {
        const auto* value = json::find(from, key);
        if (value == nullptr || value->is_null()) return std::nullopt;
        if (!value->is_string()) {
            if (!error) error = bad(key, "must be a string or null");
            return std::nullopt;
        }
        return std::string(value->as_string());
    }
    Uuid uuid(std::string_view key) {
        auto text = string(key);
        if (error) return {};
        auto parsed = Uuid::parse(text);
        if (!parsed) error = bad(key, "must be a UUID");
        return parsed.value_or(Uuid{});
    }
    std::optional<Uuid> optional_uuid(std::string_view key) {
        auto text = optional_string(object, key);
        if (!text) return std::nullopt;
        auto parsed = Uuid::parse(*text);
        if (!parsed && !error) error = bad(key, "must be a UUID or null");
        return parsed;
    }
    std::int64_t integer(std::string_view key) {
        const auto* value = required(key);
        if (value == nullptr) return 0;
        if (value->is_int64()) return value->as_int64();
        if (value->is_uint64() && value->as_uint64() < (1ULL << 62)) {
            return static_cast<std::int64_t>(value->as_uint64());
        }
        if (!error) error = bad(key, "must be an integer");
        return 0;
    }
};

}  // namespace

std::string serialize(const Envelope& e) {
    boost::json::object request{
        {"ip", optional_string(e.request.ip)},
        {"user_agent", optional_string(e.request.user_agent)},
        {"request_id", optional_string(e.request.request_id)},
        {"idempotency_key", optional_string(e.request.idempotency_key)},
        {"request_hash", optional_string(e.request.request_hash)},
    };
    boost::json::object object{
        {"event_id", e.event_id.to_string()},
        {"event_type", e.event_type},
        {"schema_version", e.schema_version},
        {"tenant_id", e.tenant_id.to_string()},
        {"aggregate_type", e.aggregate_type},
        {"aggregate_id", e.aggregate_id.to_string()},
        {"aggregate_version", e.aggregate_version},
        {"occurred_at", e.occurred_at.to_string()},
        {"actor", e.actor ? boost::json::value(e.actor->to_string()) : boost::json::value(nullptr)},
        {"request", std::move(request)},
        {"causation_id", e.causation_id ? boost::json::value(e.causation_id->to_string())
                                        : boost::json::value(nullptr)},
        {"correlation_id", e.correlation_id ? boost::json::value(e.correlation_id->to_string())
                                            : boost::json::value(nullptr)},
        {"payload", e.payload},
    };
    return boost::json::serialize(object);
}

Result<Envelope> parse_envelope(std::string_view text) {
    auto parsed = json::parse_object(text);
    if (!parsed) {
        Error error = std::move(parsed).error();
        error.type = "malformed-event";
        return error;
    }
    const boost::json::object& object = *parsed;
    Reader r{object, std::nullopt};
    Envelope e;
    e.event_id = EventId(r.uuid("event_id"));
    e.event_type = r.string("event_type");
    e.schema_version = static_cast<int>(r.integer("schema_version"));
    e.tenant_id = TenantId(r.uuid("tenant_id"));
    e.aggregate_type = r.string("aggregate_type");
    e.aggregate_id = r.uuid("aggregate_id");
    e.aggregate_version = r.integer("aggregate_version");
    const auto occurred = r.string("occurred_at");
    if (!r.error) {
        auto at = Timestamp::parse(occurred);
        if (!at) return bad("occurred_at", "must be an RFC 3339 UTC timestamp");
        e.occurred_at = *at;
    }
    if (auto actor = r.optional_uuid("actor")) e.actor = UserId(*actor);
    if (auto causation = r.optional_uuid("causation_id")) e.causation_id = EventId(*causation);
    e.correlation_id = r.optional_uuid("correlation_id");
    if (const auto* request = json::find(object, "request"); request && request->is_object()) {
        const auto& req = request->as_object();
        e.request.ip = r.optional_string(req, "ip");
        e.request.user_agent = r.optional_string(req, "user_agent");
        e.request.request_id = r.optional_string(req, "request_id");
        e.request.idempotency_key = r.optional_string(req, "idempotency_key");
        e.request.request_hash = r.optional_string(req, "request_hash");
    } else if (request && !request->is_null()) {
        return bad("request", "must be an object");
    }
    const auto* payload = r.required("payload");
    if (payload && !payload->is_object()) return bad("payload", "must be an object");
    if (r.error) return *r.error;
    if (e.event_type.empty()) return bad("event_type", "must not be empty");
    if (e.schema_version < 1) return bad("schema_version", "must be at least 1");
    if (e.aggregate_version < 1) return bad("aggregate_version", "must be at least 1");
    e.payload = payload->as_object();
    return e;
}

}  // namespace cc::events
