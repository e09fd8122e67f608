#include "model/validate.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include "model/formats.hpp"
#include "platform/core/time.hpp"
#include "platform/core/uuid.hpp"

namespace cc::model {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

bool has_control_characters(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 && c != '\n' && c != '\r' && c != '\t';
    });
}

const Field* find_field(std::span<const Field> fields, std::string_view name) {
    for (const auto& field : fields)
        if (field.name == name) return &field;
    return nullptr;
}

std::string joined(std::span<const std::string_view> values) {
    std::string out;
    for (auto value : values) {
        if (!out.empty()) out += ", ";
        out += value;
    }
    return out;
}

// Text as every text-like type takes it: trimmed, normalised, no control
// characters, within the length. nullopt (with an error) when refused; an
// empty string when it is blank.
std::optional<std::string> checked_text(const Field& field, std::string_view raw,
                                        std::vector<FieldError>& errors) {
    const std::string name(field.name);
    std::string text(trim(raw));
    if (field.lower_case) {
        std::transform(text.begin(), text.end(), text.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
    if (field.normalise != nullptr) text = field.normalise(text);
    // UTF-8 validity is already guaranteed: simdjson rejects invalid input.
    if (has_control_characters(text)) {
        errors.push_back({name, "encoding", name + " contains invalid characters"});
        return std::nullopt;
    }
    if (field.max_length > 0 && utf8_length(text) > field.max_length) {
        errors.push_back(
            {name, "too_long",
             name + " must be at most " + std::to_string(field.max_length) + " characters"});
        return std::nullopt;
    }
    return text;
}

std::optional<boost::json::value> typed_text(const Field& field, const std::string& text,
                                             std::vector<FieldError>& errors) {
    const std::string name(field.name);
    const auto refuse = [&](std::string code, std::string message) {
        errors.push_back({name, std::move(code), std::move(message)});
        return std::optional<boost::json::value>{};
    };
    switch (field.type) {
        case FieldType::enumeration:
            if (std::find(field.values.begin(), field.values.end(), text) == field.values.end()) {
                return refuse("not_allowed", name + " must be one of: " + joined(field.values));
            }
            break;
        case FieldType::date:
            if (!is_iso_date(text))
                return refuse("format", name + " must be a date such as 2026-04-23");
            break;
        case FieldType::timestamp: {
            const auto instant = Timestamp::parse(text);
            if (!instant || !is_iso_date(text.substr(0, 10))) {
                return refuse("format", name +
                                            " must be an RFC 3339 time with an offset, such as "
                                            "2026-04-23T09:30:00+01:00");
            }
            return boost::json::value(instant->to_string());
        }
        case FieldType::reference: {
            auto id = Uuid::parse(text);
            if (!id) return refuse("format", name + " must be an id (a UUID)");
            return boost::json::value(id->to_string());
        }
        default:
            break;
    }
    if (field.format != nullptr && !field.format(text)) {
        return refuse("format", std::string(field.format_message));
    }
    return boost::json::value(boost::json::string(text));
}

std::optional<boost::json::value> checked_decimal(const Field& field,
                                                  const boost::json::value& value,
                                                  const std::string* number_text,
                                                  std::vector<FieldError>& errors) {
    const std::string name(field.name);
    std::string text;
    // A JSON number is read from its source text, so that -0 keeps its sign.
    if (number_text != nullptr) {
        text = *number_text;
    } else if (value.is_int64()) {
        text = std::to_string(value.as_int64());
    } else if (value.is_uint64()) {
        text = std::to_string(value.as_uint64());
    } else if (value.is_string()) {
        text = std::string(trim(value.as_string()));
    } else {
        errors.push_back({name, "type", name + " must be a decimal number such as 12.50"});
        return std::nullopt;
    }
    auto parsed = parse_decimal(text, field.precision, field.scale, field.non_negative);
    if (!parsed.value) {
        errors.push_back({name, "decimal", name + " " + parsed.problem});
        return std::nullopt;
    }
    return boost::json::value(boost::json::string(*parsed.value));
}

std::optional<boost::json::value> checked_integer(const Field& field,
                                                  const boost::json::value& value, bool was_number,
                                                  std::vector<FieldError>& errors) {
    const std::string name(field.name);
    // INTEGER is 32-bit in PostgreSQL.
    constexpr std::int64_t kMax = std::numeric_limits<std::int32_t>::max();
    if (!was_number || !value.is_int64()) {
        errors.push_back({name, "type", name + " must be a whole number"});
        return std::nullopt;
    }
    const auto n = value.as_int64();
    if (n > kMax || n < -kMax - 1 || (field.non_negative && n < 0)) {
        errors.push_back({name, "range",
                          name + " must be between " + (field.non_negative ? "0" : "-2147483648") +
                              " and 2147483647"});
        return std::nullopt;
    }
    return boost::json::value(n);
}

std::optional<boost::json::value> checked_array(const Field& field, const boost::json::value& value,
                                                std::vector<FieldError>& errors) {
    const std::string name(field.name);
    if (!value.is_array()) {
        errors.push_back({name, "type", name + " must be an array of strings"});
        return std::nullopt;
    }
    boost::json::array out;
    for (const auto& item : value.as_array()) {
        if (!item.is_string()) {
            errors.push_back({name, "type", name + " must be an array of strings"});
            return std::nullopt;
        }
        auto text = checked_text(field, item.as_string(), errors);
        if (!text) return std::nullopt;
        if (text->empty()) {
            errors.push_back({name, "required", name + " must not hold empty strings"});
            return std::nullopt;
        }
        out.emplace_back(boost::json::string(*text));
    }
    return boost::json::value(std::move(out));
}

void reject_unknown(std::span<const Field> fields, const Body& body,
                    std::vector<FieldError>& errors) {
    for (const auto& entry : body.fields) {
        const std::string key(entry.key());
        const auto* field = find_field(fields, key);
        if (field == nullptr) {
            errors.push_back({key, "unknown_field", key + " is not a field of this resource"});
        } else if (field->set_by != Setter::client) {
            errors.push_back({key, "read_only", key + " is set by the server"});
        }
    }
}

boost::json::value absent_value(const Field& field) {
    return field.type == FieldType::boolean ? boost::json::value(false)
                                            : boost::json::value(nullptr);
}

}  // namespace

DecimalText parse_decimal(std::string_view text, int precision, int scale, bool non_negative) {
    DecimalText out;
    std::string_view rest = text;
    bool negative = false;
    if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
        negative = rest.front() == '-';
        rest.remove_prefix(1);
    }
    const auto dot = rest.find('.');
    std::string_view whole = rest.substr(0, dot);
    std::string_view fraction = dot == std::string_view::npos ? "" : rest.substr(dot + 1);
    const auto all_digits = [](std::string_view s) {
        return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (rest.find_first_of("eE") != std::string_view::npos) {
        out.problem = "must be written without an exponent, e.g. 100.00 rather than 1e2";
        return out;
    }
    if (whole.empty() || !all_digits(whole) || !all_digits(fraction) ||
        (dot != std::string_view::npos && fraction.empty())) {
        out.problem = "must be a decimal number such as 12.50";
        return out;
    }
    if (static_cast<int>(fraction.size()) > scale) {
        out.problem = "must have at most " + std::to_string(scale) + " decimal places";
        return out;
    }
    while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
    const int integer_digits = precision - scale;
    if (static_cast<int>(whole.size()) > integer_digits) {
        out.problem =
            "must be less than 1" + std::string(static_cast<std::size_t>(integer_digits), '0');
        return out;
    }
    std::string digits(whole);
    std::string decimals(fraction);
    decimals.resize(static_cast<std::size_t>(scale), '0');
    const bool zero =
        std::all_of(digits.begin(), digits.end(), [](char c) { return c == '0'; }) &&
        std::all_of(decimals.begin(), decimals.end(), [](char c) { return c == '0'; });
    // A field that cannot be negative takes no minus sign at all, -0
    // included: its published pattern has none, and a signed zero in a
    // money field is more likely a mistake than a zero.
    if (negative && non_negative) {
        out.problem = zero ? "must not be negative: write 0, not -0" : "must not be negative";
        return out;
    }
    // Elsewhere -0 is 0: the row, the event and the answer agree on one text.
    out.value = (negative && !zero ? "-" : "") + digits + (scale > 0 ? "." + decimals : "");
    return out;
}

std::optional<boost::json::value> check_value(const Field& field, const boost::json::value& value,
                                              bool was_number, std::vector<FieldError>& errors,
                                              const std::string* number_text) {
    const std::string name(field.name);
    if (value.is_null()) {
        if (field.required) {
            errors.push_back({name, "required", name + " must not be null"});
            return std::nullopt;
        }
        if (field.type == FieldType::boolean) {
            errors.push_back({name, "type", name + " must be true or false"});
            return std::nullopt;
        }
        return boost::json::value(nullptr);
    }
    switch (field.type) {
        case FieldType::boolean:
            if (!value.is_bool()) {
                errors.push_back({name, "type", name + " must be true or false"});
                return std::nullopt;
            }
            return value;
        case FieldType::decimal:
            return checked_decimal(field, value, was_number ? number_text : nullptr, errors);
        case FieldType::integer:
            return checked_integer(field, value, was_number, errors);
        case FieldType::text_array:
            return checked_array(field, value, errors);
        default:
            break;
    }
    // A number's text is held as a string: it is still not text.
    if (!value.is_string() || was_number) {
        errors.push_back({name, "type", name + " must be a string"});
        return std::nullopt;
    }
    auto text = checked_text(field, value.as_string(), errors);
    if (!text) return std::nullopt;
    if (text->empty()) {
        if (field.required) {
            errors.push_back({name, "required", name + " must not be empty"});
            return std::nullopt;
        }
        return boost::json::value(nullptr);  // an empty optional value clears the field
    }
    return typed_text(field, *text, errors);
}

Error validation_failed(std::vector<FieldError> errors) {
    Error error = Error::make(ErrorKind::invalid, "validation-failed",
                              "the request has invalid fields: see errors");
    error.fields = std::move(errors);
    return error;
}

Error invalid_field(std::string field, std::string code, std::string message) {
    return validation_failed({{std::move(field), std::move(code), std::move(message)}});
}

Result<boost::json::object> validate_create(std::span<const Field> fields, const Body& body) {
    std::vector<FieldError> errors;
    reject_unknown(fields, body, errors);
    boost::json::object out;
    for (const auto& field : fields) {
        if (field.set_by != Setter::client) continue;
        const auto it = body.fields.find(field.name);
        if (it == body.fields.end()) {
            if (field.required) {
                const std::string name(field.name);
                errors.push_back({name, "required", name + " is required"});
            }
            out[field.name] = field.default_value.empty()
                                  ? absent_value(field)
                                  : boost::json::value(boost::json::string(field.default_value));
            continue;
        }
        const auto number = body.numbers.find(field.name);
        const bool was_number = number != body.numbers.end();
        auto value = check_value(field, it->value(), was_number, errors,
                                 was_number ? &number->second : nullptr);
        out[field.name] = value ? std::move(*value) : boost::json::value(nullptr);
    }
    if (!errors.empty()) return validation_failed(std::move(errors));
    return out;
}

Result<boost::json::object> validate_patch(std::span<const Field> fields, const Body& body) {
    std::vector<FieldError> errors;
    reject_unknown(fields, body, errors);
    if (body.fields.empty()) errors.push_back({"", "empty_patch", "the patch changes no field"});
    boost::json::object out;
    for (const auto& entry : body.fields) {
        const auto* field = find_field(fields, entry.key());
        if (field == nullptr || field->set_by != Setter::client) continue;
        if (field->immutable) {
            const std::string name(field->name);
            errors.push_back({name, "immutable", name + " cannot change once set"});
            continue;
        }
        const auto number = body.numbers.find(entry.key());
        const bool was_number = number != body.numbers.end();
        auto value = check_value(*field, entry.value(), was_number, errors,
                                 was_number ? &number->second : nullptr);
        if (value) out[field->name] = std::move(*value);
    }
    if (!errors.empty()) return validation_failed(std::move(errors));
    return out;
}

boost::json::object diff(const boost::json::object& current, const boost::json::object& patch) {
    boost::json::object changes;
    for (const auto& entry : patch) {
        const auto it = current.find(entry.key());
        const boost::json::value old_value =
            it == current.end() ? boost::json::value(nullptr) : it->value();
        if (old_value != entry.value()) {
            changes[entry.key()] = boost::json::object{{"old", old_value}, {"new", entry.value()}};
        }
    }
    return changes;
}

void apply_changes(boost::json::object& fields, const boost::json::object& changes) {
    for (const auto& entry : changes) {
        if (entry.value().is_object()) {
            if (const auto* next = entry.value().as_object().if_contains("new"))
                fields[entry.key()] = *next;
        }
    }
}

}  // namespace cc::model
