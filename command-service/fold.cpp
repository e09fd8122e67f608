#include "command-service/fold.hpp"

#include <bitset>

namespace cc::command {
namespace {

namespace od = simdjson::ondemand;

// The text the store keeps for a value, as Store::text_of gives it, for the
// values whose text is certain without a JSON tree: strings, null, booleans
// and plain integers. nullopt for any other (the slow path reads those).
std::optional<std::string_view> kept_text(od::value value) {
    od::json_type type;
    if (value.type().get(type)) return std::nullopt;
    switch (type) {
        case od::json_type::string: {
            std::string_view text;
            if (value.get_string().get(text)) return std::nullopt;
            return text;
        }
        case od::json_type::null:
            return std::string_view();
        case od::json_type::boolean: {
            bool b = false;
            if (value.get_bool().get(b)) return std::nullopt;
            return b ? std::string_view("true") : std::string_view("false");
        }
        case od::json_type::number: {
            // As boost::json would print it: a canonical integer only.
            auto token = value.raw_json_token();
            while (!token.empty() && (token.back() == ' ' || token.back() == '\n' ||
                                      token.back() == '\r' || token.back() == '\t')) {
                token.remove_suffix(1);
            }
            const auto digits = token.substr(!token.empty() && token.front() == '-' ? 1 : 0);
            if (digits.empty() || digits.size() > 18 || (digits.size() > 1 && digits[0] == '0') ||
                token == "-0") {
                return std::nullopt;
            }
            for (char c : digits)
                if (c < '0' || c > '9') return std::nullopt;
            return token;
        }
        default:
            return std::nullopt;
    }
}

std::optional<Uuid> uuid_of(od::value value) {
    std::string_view text;
    if (value.get_string().get(text)) return std::nullopt;
    return Uuid::parse(text);
}

// A UUID or null: nullopt for neither; an engaged nil-able result otherwise.
bool optional_uuid(od::value value, std::optional<Uuid>& out) {
    if (value.is_null()) {
        out.reset();
        return true;
    }
    out = uuid_of(value);
    return out.has_value();
}

bool optional_text(od::value value, std::optional<std::string_view>& out) {
    if (value.is_null()) {
        out.reset();
        return true;
    }
    std::string_view text;
    if (value.get_string().get(text)) return false;
    out = text;
    return true;
}

}  // namespace

Status LogFolder::fold(const eventlog::LogRecord& record) {
    if (fold_fast(record)) {
        ++fast_;
        return {};
    }
    auto envelope = events::parse_envelope(record.value);
    if (!envelope) return std::move(envelope).error();
    model_->apply(*envelope, eventlog::Position{record.partition, record.offset});
    ++slow_;
    return {};
}

bool LogFolder::fold_fast(const eventlog::LogRecord& record) {
    buffer_.reserve(record.value.size() + simdjson::SIMDJSON_PADDING);
    buffer_.assign(record.value);
    od::document doc;
    if (parser_.iterate(buffer_.data(), buffer_.size(), buffer_.capacity()).get(doc)) return false;
    od::object object;
    if (doc.get_object().get(object)) return false;

    enum Field : std::size_t {
        event_id,
        event_type,
        schema_version,
        tenant_id,
        aggregate_type,
        aggregate_id,
        aggregate_version,
        occurred_at,
        actor,
        request,
        causation_id,
        correlation_id,
        payload,
        count
    };
    std::bitset<count> seen;
    std::string_view type;
    std::string_view aggregate;
    TenantId tenant;
    Uuid id;
    std::int64_t version = 0;
    std::int64_t schema = 0;
    std::optional<Uuid> by;
    std::optional<std::string_view> key;
    std::optional<std::string_view> request_id;
    std::optional<std::string_view> request_hash;
    std::optional<std::string_view> status;
    aggregate::Store* store = nullptr;

    const auto read_request = [&](od::value value) {
        if (value.is_null()) return true;
        od::object fields;
        if (value.get_object().get(fields)) return false;
        for (auto field : fields) {
            std::string_view name;
            od::value v;
            if (field.unescaped_key().get(name) || field.value().get(v)) return false;
            std::optional<std::string_view> text;
            if (!optional_text(v, text)) return false;
            if (name == "idempotency_key") {
                key = text;
            } else if (name == "request_id") {
                request_id = text;
            } else if (name == "request_hash") {
                request_hash = text;
            }
        }
        return true;
    };
    // A kept field's value (and a created event's status) into values_.
    const auto take = [&](std::string_view name, od::value value) {
        const auto i = store->kept_index(name);
        const bool is_status = name == store->description().status;
        if (i < 0 && !is_status) return true;
        od::json_type json_type;
        if (value.type().get(json_type)) return false;
        const auto text = kept_text(value);
        if (!text) return false;
        if (i >= 0) values_[static_cast<std::size_t>(i)] = *text;
        // Only a string names a state; any other leaves the initial one.
        if (is_status && json_type == od::json_type::string) status = *text;
        return true;
    };
    const auto read_payload = [&](od::value value) {
        od::object fields;
        if (value.get_object().get(fields)) return false;
        // The payload is read in terms of the aggregate: it must come after
        // the fields that name it (as the bus writes it), or the slow path reads it.
        if (!seen[event_type] || !seen[aggregate_type]) return false;
        store = model_->entities.of(aggregate);
        if (store == nullptr) return true;
        values_.assign(store->kept_count(), std::nullopt);
        const auto source = store->source_of(type);
        if (source == aggregate::Store::Source::none) return true;
        for (auto field : fields) {
            std::string_view name;
            od::value v;
            if (field.unescaped_key().get(name) || field.value().get(v)) return false;
            if (source == aggregate::Store::Source::payload) {
                if (!take(name, v)) return false;
                continue;
            }
            if (name != "changes") continue;
            od::object changes;
            if (v.get_object().get(changes)) continue;
            for (auto change : changes) {
                std::string_view changed;
                od::value entry;
                if (change.unescaped_key().get(changed) || change.value().get(entry)) return false;
                od::object sides;
                if (entry.get_object().get(sides)) continue;
                for (auto side : sides) {
                    std::string_view which;
                    od::value next;
                    if (side.unescaped_key().get(which) || side.value().get(next)) return false;
                    if (which == "new" && !take(changed, next)) return false;
                }
            }
        }
        // The status of a created event only.
        if (type != store->description().created) status.reset();
        return true;
    };

    for (auto field : object) {
        std::string_view name;
        od::value value;
        if (field.unescaped_key().get(name) || field.value().get(value)) return false;
        Field which = count;
        if (name == "event_id")
            which = event_id;
        else if (name == "event_type")
            which = event_type;
        else if (name == "schema_version")
            which = schema_version;
        else if (name == "tenant_id")
            which = tenant_id;
        else if (name == "aggregate_type")
            which = aggregate_type;
        else if (name == "aggregate_id")
            which = aggregate_id;
        else if (name == "aggregate_version")
            which = aggregate_version;
        else if (name == "occurred_at")
            which = occurred_at;
        else if (name == "actor")
            which = actor;
        else if (name == "request")
            which = request;
        else if (name == "causation_id")
            which = causation_id;
        else if (name == "correlation_id")
            which = correlation_id;
        else if (name == "payload")
            which = payload;
        if (which == count) continue;
        if (seen[which]) return false;  // a repeated key: the slow path refuses it
        seen[which] = true;
        bool ok = true;
        switch (which) {
            case event_id:
                ok = uuid_of(value).has_value();
                break;
            case event_type:
                ok = !value.get_string().get(type) && !type.empty();
                break;
            case schema_version:
                ok = !value.get_int64().get(schema) && schema >= 1;
                break;
            case tenant_id: {
                const auto parsed = uuid_of(value);
                ok = parsed.has_value();
                if (ok) tenant = TenantId(*parsed);
                break;
            }
            case aggregate_type:
                ok = !value.get_string().get(aggregate);
                break;
            case aggregate_id: {
                const auto parsed = uuid_of(value);
                ok = parsed.has_value();
                if (ok) id = *parsed;
                break;
            }
            case aggregate_version:
                ok = !value.get_int64().get(version) && version >= 1;
                break;
            case occurred_at: {
                std::string_view text;
                ok = !value.get_string().get(text) && Timestamp::parse(text).has_value();
                break;
            }
            case actor:
                ok = optional_uuid(value, by);
                break;
            case request:
                ok = read_request(value);
                break;
            case causation_id:
            case correlation_id: {
                std::optional<Uuid> ignored;
                ok = optional_uuid(value, ignored);
                break;
            }
            case payload:
                ok = read_payload(value);
                break;
            case count:
                break;
        }
        if (!ok) return false;
    }
    // Every field but the optional ones must be there; the slow path names
    // the one missing.
    for (auto required : {event_id, event_type, schema_version, tenant_id, aggregate_type,
                          aggregate_id, aggregate_version, occurred_at, payload}) {
        if (!seen[required]) return false;
    }

    const eventlog::Position position{record.partition, record.offset};
    if (store != nullptr) {
        store->apply(aggregate::Change{type, tenant, id, version, values_, status});
    }
    const auto user = by ? std::optional<UserId>(UserId(*by)) : std::nullopt;
    model_->idempotency.apply(
        Answered{user, tenant, id, version, type, key, request_id, request_hash}, position);
    model_->registrations.apply(aggregate, type, id, user);
    return true;
}

}  // namespace cc::command
