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

int Store::kept_index(std::string_view field) const {
    for (std::size_t i = 0; i < kept_fields_.size(); ++i)
        if (kept_fields_[i] == field) return static_cast<int>(i);
    return -1;
}

Store::Source Store::source_of(std::string_view event_type) const {
    if (event_type == description_->updated) return Source::changes;
    if (event_type == description_->deleted) return Source::none;
    return Source::payload;
}

std::optional<std::string_view> Store::kept(const Record& record, std::string_view field) const {
    const std::string_view all = record.kept.view();
    std::size_t start = 0;
    for (auto name : kept_fields_) {
        const auto end = all.find(kSeparator, start);
        if (name == field) {
            return all.substr(start,
                              end == std::string_view::npos ? std::string_view::npos : end - start);
        }
        start = end == std::string_view::npos ? all.size() : end + 1;
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

void Store::set_kept(Record& record, std::span<const std::optional<std::string_view>> values) {
    if (values.empty()) return;
    const std::string_view old = record.kept.view();
    std::string joined;
    joined.reserve(old.size());
    std::size_t start = 0;
    for (std::size_t i = 0; i < kept_fields_.size(); ++i) {
        const auto end = std::min(old.find(kSeparator, start), old.size());
        if (i > 0) joined.push_back(kSeparator);
        if (i < values.size() && values[i]) {
            joined += *values[i];
        } else {
            joined += old.substr(start, end - start);
        }
        start = std::min(end + 1, old.size());
    }
    record.kept = std::string_view(joined);
}

namespace {

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool same_text(std::string_view a, std::string_view b, bool case_insensitive) {
    if (!case_insensitive) return a == b;
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace

std::uint64_t Store::fingerprint(std::size_t unique, const TenantId& tenant,
                                 std::span<const std::string_view> values) const {
    const auto& key = description_->unique[unique];
    std::uint64_t hash = 14695981039346656037ULL;
    const auto mix = [&](unsigned char c) { hash = (hash ^ c) * 1099511628211ULL; };
    if (key.per_tenant) {
        for (auto b : tenant.uuid().bytes()) mix(b);
    }
    for (auto value : values) {
        mix(static_cast<unsigned char>(kSeparator));
        for (char c : value) mix(static_cast<unsigned char>(key.case_insensitive ? lower(c) : c));
    }
    return hash;
}

bool Store::holds(std::size_t unique, const Record& record, const TenantId& tenant,
                  std::span<const std::string_view> values) const {
    const auto& key = description_->unique[unique];
    if (key.per_tenant && record.tenant != tenant) return false;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!same_text(kept(record, key.fields[i]).value_or(""), values[i], key.case_insensitive)) {
            return false;
        }
    }
    return true;
}

// A key whose values are all null holds nothing. A value held by two rows
// (which deciders refuse, but a log may hold) is indexed to the latest.
void Store::index(const Uuid& id, const Record& record, bool add) {
    std::vector<std::string_view> values;
    for (std::size_t u = 0; u < description_->unique.size(); ++u) {
        const auto& key = description_->unique[u];
        if (add && record.deleted && key.freed_on_delete) continue;
        values.clear();
        bool any = false;
        for (auto field : key.fields) {
            values.push_back(kept(record, field).value_or(""));
            any = any || !values.back().empty();
        }
        if (!any) continue;
        const auto fp = fingerprint(u, record.tenant, values);
        if (!add) {
            unique_[u].erase(fp, id);
            continue;
        }
        const bool replaced = unique_[u].find(fp, [&](Uuid& holder) {
            const auto other = records_.find(holder);
            if (other == records_.end() || !holds(u, other->second, record.tenant, values)) {
                return false;
            }
            holder = id;
            return true;
        });
        if (!replaced) unique_[u].insert(fp, id);
    }
}

void Store::apply(const events::Envelope& e) {
    if (e.aggregate_type != description_->name) return;
    const auto source = source_of(e.event_type);
    std::vector<std::string> texts(kept_fields_.size());
    std::vector<std::optional<std::string_view>> values(kept_fields_.size());
    const auto take = [&](std::string_view field, const boost::json::value& value) {
        const auto i = kept_index(field);
        if (i < 0) return;
        const auto at = static_cast<std::size_t>(i);
        texts[at] = text_of(value);
        values[at] = texts[at];
    };
    if (source == Source::payload) {
        for (const auto& entry : e.payload) take(entry.key(), entry.value());
    } else if (source == Source::changes) {
        for (const auto& entry : domain::changes_of(e)) {
            if (const auto* next = entry.value().is_object()
                                       ? entry.value().as_object().if_contains("new")
                                       : nullptr) {
                take(entry.key(), *next);
            }
        }
    }
    Change change{e.event_type, e.tenant_id, e.aggregate_id, e.aggregate_version, values, {}};
    if (const auto* value = e.payload.if_contains(description_->status);
        value && value->is_string()) {
        change.status = std::string_view(value->as_string());
    }
    apply(change);
}

void Store::apply(const Change& c) {
    auto& record = records_[c.id];
    index(c.id, record, /*add=*/false);
    record.tenant = c.tenant;
    record.version = static_cast<std::int32_t>(c.version);
    const auto* status = description_->field(description_->status);
    const auto set_state = [&](std::string_view state) {
        if (status == nullptr || state.empty()) return;
        const auto it = std::find(status->values.begin(), status->values.end(), state);
        if (it != status->values.end()) {
            record.state = static_cast<std::uint8_t>(it - status->values.begin());
        }
    };
    if (c.event_type == description_->created) {
        // A created event may revive a deleted row (a membership granted again).
        record.deleted = false;
        set_kept(record, c.values);
        set_state(c.status.value_or(description_->initial_state));
    } else if (c.event_type == description_->updated) {
        set_kept(record, c.values);
    } else if (c.event_type == description_->deleted) {
        record.deleted = true;
    } else {
        for (const auto& action : description_->actions) {
            if (action.event != c.event_type) continue;
            set_kept(record, c.values);
            set_state(action.to);
            if (action.removes) record.deleted = true;
        }
    }
    index(c.id, record, /*add=*/true);
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
    std::optional<Uuid> found;
    unique_[u].find(fingerprint(u, tenant, views), [&](const Uuid& holder) {
        const auto record = records_.find(holder);
        if (record == records_.end() || !holds(u, record->second, tenant, views)) return false;
        found = holder;
        return true;
    });
    return found;
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

namespace cc::aggregate {

void Store::save(command::snapshot::Out& out) const {
    // In id order, so that equal models make equal bytes; sorted with the ids
    // beside the pointers, which a comparison then need not follow.
    std::vector<std::pair<Uuid, const Record*>> sorted;
    sorted.reserve(records_.size());
    for (const auto& [id, record] : records_) sorted.emplace_back(id, &record);
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    out.fixed(static_cast<std::uint64_t>(sorted.size()));
    for (const auto& [id, pointer] : sorted) {
        const auto& record = *pointer;
        out.uuid(id);
        out.uuid(record.tenant.uuid());
        out.fixed(record.version);
        out.fixed(record.state);
        out.fixed(static_cast<std::uint8_t>(record.deleted));
        out.text(record.kept.view());
    }
    for (const auto& index : unique_) {
        std::vector<std::pair<std::uint64_t, Uuid>> entries;
        entries.reserve(index.size());
        index.each([&](const FingerprintIndex::Entry& e) {
            entries.emplace_back(e.fingerprint, e.holder);
        });
        std::sort(entries.begin(), entries.end());
        out.fixed(static_cast<std::uint64_t>(entries.size()));
        for (const auto& [fp, id] : entries) {
            out.fixed(fp);
            out.uuid(id);
        }
    }
}

bool Store::load(command::snapshot::In& in) {
    records_.clear();
    for (auto& index : unique_) index.clear();
    const auto count = in.count(16 + 16 + 4 + 1 + 1 + 4);
    records_.reserve(count);
    for (std::uint64_t i = 0; i < count && in.ok(); ++i) {
        const auto id = in.uuid();
        Record record;
        record.tenant = TenantId(in.uuid());
        record.version = in.fixed<std::int32_t>();
        record.state = in.fixed<std::uint8_t>();
        record.deleted = in.fixed<std::uint8_t>() != 0;
        record.kept = std::string_view(in.text());
        records_.insert_or_assign(id, std::move(record));
    }
    for (auto& index : unique_) {
        const auto entries = in.count(8 + 16);
        index.reserve(entries);
        for (std::uint64_t i = 0; i < entries && in.ok(); ++i) {
            const auto fp = in.fixed<std::uint64_t>();
            index.insert(fp, in.uuid());
        }
    }
    if (!in.ok()) {
        records_.clear();
        for (auto& index : unique_) index.clear();
    }
    return in.ok();
}

}  // namespace cc::aggregate
