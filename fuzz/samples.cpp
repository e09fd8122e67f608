#include "fuzz/samples.hpp"

#include <boost/json.hpp>

#include "model/formats.hpp"

namespace cc::fuzz {
namespace {

bool names_any(std::string_view name, std::initializer_list<std::string_view> parts) {
    for (auto part : parts)
        if (name.find(part) != std::string_view::npos) return true;
    return false;
}

// A date the rules take: births long past, ends and reviews after starts.
std::string date_for(std::string_view name) {
    if (names_any(name, {"birth"})) return "1950-01-31";
    if (names_any(name, {"end", "due", "review", "until", "expir", "to"})) return "2026-06-30";
    return "2026-03-01";
}

std::string text_for(const model::Field& field) {
    using namespace model;
    if (field.format == is_email) return "fuzz@example.org";
    if (field.format == is_slug) return "fuzz-care";
    if (field.format == is_hostname) return "care.example.org";
    if (field.format == is_http_url) return "https://example.org/a";
    if (field.format == is_hex_colour) return "#12ab34";
    if (field.format == is_nhs_number) return "9434765919";
    if (field.format == is_uk_phone) return "020 7946 0000";
    if (field.format == is_licence_number) return "AB-123/4";
    if (field.format == is_uuid) return "7e1a0000-0000-4000-8000-0000000000aa";
    return "sample " + std::string(field.name);
}

}  // namespace

Timestamp Samples::now() const {
    return *Timestamp::parse("2026-03-03T08:00:00Z");
}

boost::json::value Samples::value(const model::Field& field, const LiveItem& live) const {
    using model::FieldType;
    switch (field.type) {
        case FieldType::text:
            return boost::json::string(text_for(field));
        case FieldType::date:
            return boost::json::string(date_for(field.name));
        case FieldType::timestamp:
            return boost::json::string(names_any(field.name, {"end", "due", "until", "to"})
                                           ? "2026-03-02T10:30:00+01:00"
                                           : "2026-03-02T09:00:00Z");
        case FieldType::decimal:
            return boost::json::string("12.5");
        case FieldType::integer:
            return 3;
        case FieldType::boolean:
            return true;
        case FieldType::text_array:
            return boost::json::array{"one", "two"};
        case FieldType::enumeration:
            return field.values.empty() ? boost::json::string()
                                        : boost::json::string(field.values.front());
        case FieldType::reference: {
            const auto id = live ? live(field.references) : std::nullopt;
            return boost::json::string(
                (id ? *id : *Uuid::parse("7e1a0000-0000-4000-8000-0000000000bb")).to_string());
        }
    }
    return nullptr;
}

boost::json::object Samples::body(std::span<const model::Field> fields,
                                  const LiveItem& live) const {
    boost::json::object out;
    for (const auto& field : fields) {
        if (field.set_by != model::Setter::client) continue;
        out[field.name] = value(field, live);
    }
    return out;
}

std::string Samples::key_of(const model::Aggregate& aggregate) const {
    const auto* by = aggregate.field(aggregate.put_by);
    const auto* referenced = by ? model::find_aggregate(by->references) : nullptr;
    const auto* key = referenced ? referenced->field(aggregate.put_key) : nullptr;
    if (key == nullptr) return {};
    const auto sample = value(*key, {});
    return sample.is_string() ? std::string(sample.as_string()) : std::string();
}

boost::json::object Samples::computed(const model::Upload& upload) const {
    return {
        {upload.key, "sha256/5e/5e0d8f1f0b8c5a8e7e2b7b0f3d7c9a1e4f6b2d8c0a9e7f5d3b1c9e7a5f3d1b9c"},
        {upload.type, "application/pdf"},
        {upload.size, 8}};
}

}  // namespace cc::fuzz
