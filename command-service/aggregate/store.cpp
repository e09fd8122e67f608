#include "command-service/aggregate/store.hpp"

#include "command-service/domain/entity.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>

namespace cc::aggregate {

std::string Store::text_of(const boost::json::value& value) {
    if (value.is_string()) return std::string(value.as_string());
    if (value.is_null()) return {};
    return boost::json::serialize(value);
}

Store::Store(const model::Aggregate& description)
    : description_(&description), unique_(description.unique.size()) {
    // A version 1 updated event carries each changed field's old value, so
    // the store keeps every field of such an aggregate (they are small).
    // Carried fields are repeated in every event, so they are kept too.
    const bool keep_all = description.updated_version == 1;
    for (const auto& field : description.fields) {
        const auto& carried = description.carried;
        bool needed = field.kept || keep_all ||
                      std::find(carried.begin(), carried.end(), field.name) != carried.end();
        for (const auto& key : description.unique) {
            needed = needed || std::find(key.fields.begin(), key.fields.end(), field.name) !=
                                   key.fields.end();
        }
        if (needed) kept_fields_.push_back(field.name);
    }
}

std::vector<std::string> Store::kept_values(const Record& record) const {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i < kept_fields_.size(); ++i) {
        const auto end = record.kept.find(kSeparator, start);
        out.emplace_back(record.kept.substr(start, end == std::string::npos ? end : end - start));
        start = end == std::string::npos ? record.kept.size() : end + 1;
    }
    return out;
}

std::optional<std::string_view> Store::kept(const Record& record, std::string_view field) const {
    std::size_t start = 0;
    for (auto name : kept_fields_) {
        const auto end = record.kept.find(kSeparator, start);
        const std::string_view all(record.kept);
        if (name == field) {
            return all.substr(start,
                              end == std::string::npos ? std::string_view::npos : end - start);
        }
        start = end == std::string::npos ? record.kept.size() : end + 1;
    }
    return std::nullopt;
}

TenantId filed_under(const model::Aggregate& aggregate, const Uuid& id, const TenantId& tenant) {
    switch (aggregate.scope) {
        case model::Scope::own:
            return TenantId(id);
        case model::Scope::platform:
            return kPlatformTenant;
        case model::Scope::tenant:
            break;
    }
    return tenant;
}

boost::json::object Store::values(const Record& record) const {
    boost::json::object out;
    for (auto name : kept_fields_) {
        const auto text = kept(record, name).value_or("");
        const auto* field = description_->field(name);
        // Validation turns an empty text into null, so "" always was null.
        if (text.empty()) {
            out[name] = nullptr;
        } else if (field->type == model::FieldType::boolean ||
                   field->type == model::FieldType::integer ||
                   field->type == model::FieldType::text_array) {
            out[name] = boost::json::parse(text);
        } else {
            out[name] = text;
        }
    }
    return out;
}

std::string_view Store::state_name(const Record& record) const {
    const auto* status = description_->field(description_->status);
    if (status == nullptr || record.state >= status->values.size()) return {};
    return status->values[record.state];
}

void Store::set_kept(Record& record, const boost::json::object& values) {
    if (kept_fields_.empty()) return;
    auto current = kept_values(record);
    for (std::size_t i = 0; i < kept_fields_.size(); ++i) {
        if (const auto* value = values.if_contains(kept_fields_[i])) current[i] = text_of(*value);
    }
    std::string joined;
    for (std::size_t i = 0; i < current.size(); ++i) {
        if (i > 0) joined.push_back(kSeparator);
        joined += current[i];
    }
    record.kept = std::move(joined);
}

std::string Store::index_key(std::size_t unique, const TenantId& tenant,
                             const std::vector<std::string_view>& values) const {
    const auto& key = description_->unique[unique];
    std::string out = key.per_tenant ? tenant.to_string() : std::string();
    for (auto value : values) {
        out.push_back(kSeparator);
        out += value;
    }
    if (key.case_insensitive) {
        std::transform(out.begin(), out.end(), out.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
    return out;
}

// A key whose values are all null holds nothing.
void Store::index(const Uuid& id, const Record& record, bool add) {
    for (std::size_t u = 0; u < description_->unique.size(); ++u) {
        const auto& key = description_->unique[u];
        if (add && record.deleted && key.freed_on_delete) continue;
        std::vector<std::string_view> values;
        bool any = false;
        for (auto field : key.fields) {
            values.push_back(kept(record, field).value_or(""));
            any = any || !values.back().empty();
        }
        if (!any) continue;
        const auto k = index_key(u, record.tenant, values);
        if (add) {
            unique_[u][k] = id;
        } else if (auto it = unique_[u].find(k); it != unique_[u].end() && it->second == id) {
            unique_[u].erase(it);
        }
    }
}

void Store::apply(const events::Envelope& e) {
    if (e.aggregate_type != description_->name) return;
    auto& record = records_[e.aggregate_id];
    index(e.aggregate_id, record, /*add=*/false);
    record.tenant = e.tenant_id;
    record.version = static_cast<std::int32_t>(e.aggregate_version);
    const auto* status = description_->field(description_->status);
    const auto set_state = [&](std::string_view state) {
        if (status == nullptr || state.empty()) return;
        const auto it = std::find(status->values.begin(), status->values.end(), state);
        if (it != status->values.end()) {
            record.state = static_cast<std::uint8_t>(it - status->values.begin());
        }
    };
    if (e.event_type == description_->created) {
        // A created event may revive a deleted row (a membership granted again).
        record.deleted = false;
        set_kept(record, e.payload);
        if (const auto* value = e.payload.if_contains(description_->status);
            value && value->is_string()) {
            set_state(value->as_string());
        } else {
            set_state(description_->initial_state);
        }
    } else if (e.event_type == description_->updated) {
        boost::json::object values;
        for (const auto& entry : domain::changes_of(e)) {
            if (const auto* next = entry.value().is_object()
                                       ? entry.value().as_object().if_contains("new")
                                       : nullptr) {
                values[entry.key()] = *next;
            }
        }
        set_kept(record, values);
    } else if (e.event_type == description_->deleted) {
        record.deleted = true;
    } else {
        for (const auto& action : description_->actions) {
            if (action.event != e.event_type) continue;
            set_kept(record, e.payload);
            set_state(action.to);
            if (action.removes) record.deleted = true;
        }
    }
    index(e.aggregate_id, record, /*add=*/true);
}

void Store::restore(const Uuid& id, const std::optional<Record>& previous) {
    auto it = records_.find(id);
    if (it != records_.end()) {
        index(id, it->second, /*add=*/false);
        if (!previous) {
            records_.erase(it);
            return;
        }
        it->second = *previous;
    } else if (previous) {
        it = records_.emplace(id, *previous).first;
    } else {
        return;
    }
    index(id, it->second, /*add=*/true);
}

const Record* Store::find(const TenantId& tenant, const Uuid& id) const {
    auto it = records_.find(id);
    return it == records_.end() || it->second.tenant != tenant ? nullptr : &it->second;
}

std::optional<Uuid> Store::holder(const model::UniqueKey& key, const TenantId& tenant,
                                  const boost::json::object& values) const {
    const auto u = static_cast<std::size_t>(&key - description_->unique.data());
    std::vector<std::string> texts;
    bool any = false;
    for (auto field : key.fields) {
        const auto* value = values.if_contains(field);
        texts.push_back(value ? text_of(*value) : std::string());
        any = any || !texts.back().empty();
    }
    if (!any) return std::nullopt;
    const std::vector<std::string_view> views(texts.begin(), texts.end());
    auto it = unique_[u].find(index_key(u, tenant, views));
    return it == unique_[u].end() ? std::nullopt : std::optional(it->second);
}

std::optional<Uuid> Store::holder_of(std::string_view field, const TenantId& tenant,
                                     std::string_view value) const {
    for (const auto& key : description_->unique) {
        if (key.fields.size() == 1 && key.fields.front() == field) {
            return holder(key, tenant, boost::json::object{{field, value}});
        }
    }
    return std::nullopt;
}

}  // namespace cc::aggregate
