#include "model/contracts/field_schema.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace cc::contracts {
namespace {

namespace json = boost::json;

std::string_view json_type(model::FieldType type) {
    switch (type) {
        case model::FieldType::integer:
            return "integer";
        case model::FieldType::boolean:
            return "boolean";
        case model::FieldType::text_array:
            return "array";
        default:
            return "string";
    }
}

json::array enum_values(const model::Field& field) {
    json::array values;
    for (auto value : field.values) values.emplace_back(value);
    return values;
}

// The keywords a value's type brings, shared by stored and input forms;
// `as_sent` drops the text rules the service applies only after normalising.
json::object typed(const model::Field& field, bool as_sent) {
    json::object schema{{"type", json_type(field.type)}};
    const bool normalised = field.normalise != nullptr || field.lower_case;
    switch (field.type) {
        case model::FieldType::text:
            if (!as_sent) schema["minLength"] = 1;
            if (field.max_length > 0 && !(as_sent && field.normalise != nullptr))
                schema["maxLength"] = field.max_length;
            if (!field.pattern.empty() && !(as_sent && normalised))
                schema["pattern"] = field.pattern;
            break;
        case model::FieldType::enumeration:
            schema["enum"] = enum_values(field);
            break;
        case model::FieldType::date:
            schema["format"] = "date";
            schema["pattern"] = kDatePattern;
            break;
        case model::FieldType::timestamp:
            schema["format"] = "date-time";
            break;
        case model::FieldType::decimal:
            if (as_sent) {
                // The service reads a JSON number's exact text, never a double.
                schema["type"] = json::array{"string", "number"};
                break;
            }
            schema["pattern"] = decimal_pattern(field.precision, field.scale, field.non_negative);
            break;
        case model::FieldType::integer:
            // INTEGER is 32-bit in PostgreSQL.
            schema["minimum"] =
                field.non_negative ? 0 : std::int64_t{std::numeric_limits<std::int32_t>::min()};
            schema["maximum"] = std::numeric_limits<std::int32_t>::max();
            break;
        case model::FieldType::boolean:
            break;
        case model::FieldType::text_array: {
            json::object item{{"type", "string"}, {"minLength", 1}};
            if (field.max_length > 0) item["maxLength"] = field.max_length;
            schema["items"] = std::move(item);
            break;
        }
        case model::FieldType::reference:
            schema["format"] = "uuid";
            if (!as_sent) schema["pattern"] = kUuidPattern;
            break;
    }
    return schema;
}

}  // namespace

std::string decimal_pattern(int precision, int scale, bool non_negative) {
    const int whole = std::max(1, precision - scale);
    std::string pattern = non_negative ? "^" : "^-?";
    pattern += "[0-9]{1," + std::to_string(whole) + "}";
    if (scale > 0) pattern += "\\.[0-9]{" + std::to_string(scale) + "}";
    return pattern + "$";
}

void make_nullable(json::object& schema) {
    auto& type = schema["type"];
    if (type.is_string())
        type = json::array{type, "null"};
    else if (type.is_array())
        type.as_array().emplace_back("null");
    // enum lists every allowed value: null must be one of them.
    if (auto* values = schema.if_contains("enum")) values->as_array().emplace_back(nullptr);
}

json::object uuid_schema(std::string_view description) {
    return {{"type", "string"},
            {"format", "uuid"},
            {"pattern", kUuidPattern},
            {"description", description}};
}

json::object timestamp_schema(std::string_view description) {
    return {{"type", "string"}, {"format", "date-time"}, {"description", description}};
}

std::string field_description(const model::Aggregate& aggregate, const model::Field& field) {
    std::string doc(field.doc);
    while (!doc.empty() && (doc.back() == '.' || doc.back() == ' ')) doc.pop_back();
    const std::string column =
        "(" + std::string(aggregate.table) + "." + std::string(field.column_name()) + ")";
    return (doc.empty() ? column : doc + " " + column) + ".";
}

// Optional fields of the client's, or a rule's (paid_date until paid).
bool stored_nullable(const model::Field& field) {
    return (field.set_by == model::Setter::client || field.set_by == model::Setter::rule) &&
           !field.required && field.type != model::FieldType::boolean;
}

json::object stored_schema(const model::Aggregate& aggregate, const model::Field& field) {
    auto schema = typed(field, /*as_sent=*/false);
    if (stored_nullable(field)) make_nullable(schema);
    schema["description"] = field_description(aggregate, field);
    return schema;
}

json::object input_schema(const model::Aggregate& aggregate, const model::Field& field) {
    auto schema = typed(field, /*as_sent=*/true);
    if (!field.required && field.type != model::FieldType::boolean) make_nullable(schema);
    std::string description = field_description(aggregate, field);
    if (field.default_from == model::DefaultFrom::caller)
        description += " Left out or null: the caller.";
    else if (field.default_from == model::DefaultFrom::caller_care_professional)
        description += " Left out or null: the caller's own care professional.";
    else if (!field.required && field.type != model::FieldType::boolean)
        description += " Null clears it.";
    if (field.type == model::FieldType::decimal) {
        description += " Decimal text such as \"12.50\" or an exact JSON number, at most " +
                       std::to_string(field.scale) + " decimals.";
    }
    schema["description"] = std::move(description);
    return schema;
}

json::object parameter_schema(const model::Field& field) {
    auto schema = typed(field, /*as_sent=*/true);
    if (field.type == model::FieldType::text_array) return {{"type", "string"}};
    if (field.type == model::FieldType::decimal) schema["type"] = "string";
    return schema;
}

}  // namespace cc::contracts
