#include "command-service/domain/validation.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "platform/core/uuid.hpp"

namespace cc::domain {
namespace {

bool is_lower_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

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

const FieldSpec* find_spec(std::span<const FieldSpec> spec, std::string_view name) {
    for (const auto& field : spec)
        if (field.name == name) return &field;
    return nullptr;
}

// Checks one present value; appends errors; returns the normalised value.
boost::json::value check_value(const FieldSpec& field, const boost::json::value& value,
                               std::vector<FieldError>& errors) {
    const std::string name(field.name);
    if (value.is_null()) {
        if (field.required) errors.push_back({name, "required", name + " must not be null"});
        return nullptr;
    }
    if (field.kind == FieldKind::boolean) {
        if (!value.is_bool()) errors.push_back({name, "type", name + " must be true or false"});
        return value;
    }
    if (!value.is_string()) {
        errors.push_back({name, "type", name + " must be a string"});
        return nullptr;
    }
    std::string text(trim(value.as_string()));
    if (field.lower_case) {
        std::transform(text.begin(), text.end(), text.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
    if (field.normalise != nullptr) text = field.normalise(text);
    if (text.empty()) {
        if (field.required) {
            errors.push_back({name, "required", name + " must not be empty"});
            return nullptr;
        }
        return nullptr;  // an empty optional value clears the field
    }
    // UTF-8 validity is already guaranteed: simdjson rejects invalid input.
    if (has_control_characters(text)) {
        errors.push_back({name, "encoding", name + " contains invalid characters"});
        return nullptr;
    }
    if (field.max_length > 0 && utf8_length(text) > field.max_length) {
        errors.push_back(
            {name, "too_long",
             name + " must be at most " + std::to_string(field.max_length) + " characters"});
        return nullptr;
    }
    if (!field.one_of.empty() &&
        std::find(field.one_of.begin(), field.one_of.end(), text) == field.one_of.end()) {
        std::string allowed;
        for (auto option : field.one_of) {
            if (!allowed.empty()) allowed += ", ";
            allowed += option;
        }
        errors.push_back({name, "not_allowed", name + " must be one of: " + allowed});
        return nullptr;
    }
    if (field.format != nullptr && !field.format(text)) {
        errors.push_back({name, "format", std::string(field.format_message)});
        return nullptr;
    }
    return boost::json::string(text);
}

void reject_unknown(std::span<const FieldSpec> spec, const boost::json::object& body,
                    std::vector<FieldError>& errors) {
    for (const auto& entry : body) {
        if (find_spec(spec, entry.key()) == nullptr) {
            const std::string key(entry.key());
            errors.push_back({key, "unknown_field", key + " is not a field of this resource"});
        }
    }
}

}  // namespace

bool is_email(std::string_view v) {
    const auto at = v.find('@');
    if (at == std::string_view::npos || at == 0 || v.find('@', at + 1) != std::string_view::npos) {
        return false;
    }
    const auto local = v.substr(0, at);
    const auto domain = v.substr(at + 1);
    if (local.size() > 64 || local.front() == '.' || local.back() == '.' ||
        local.find("..") != std::string_view::npos) {
        return false;
    }
    for (char c : local) {
        if (!is_alnum(c) &&
            std::string_view("!#$%&'*+/=?^_`{|}~.-").find(c) == std::string_view::npos) {
            return false;
        }
    }
    return domain.find('.') != std::string_view::npos && is_hostname(domain);
}

bool is_slug(std::string_view v) {
    if (v.empty() || v.front() == '-' || v.back() == '-') return false;
    char previous = 0;
    for (char c : v) {
        if (c == '-' && previous == '-') return false;
        if (c != '-' && !is_lower_alnum(c)) return false;
        previous = c;
    }
    return true;
}

bool is_hex_colour(std::string_view v) {
    return v.size() == 7 && v[0] == '#' && std::all_of(v.begin() + 1, v.end(), [](char c) {
               return std::isxdigit(static_cast<unsigned char>(c)) != 0;
           });
}

bool is_hostname(std::string_view v) {
    if (v.empty() || v.size() > 253) return false;
    std::size_t start = 0;
    while (start <= v.size()) {
        const auto dot = v.find('.', start);
        const auto label = v.substr(start, dot == std::string_view::npos ? v.npos : dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
            return false;
        }
        for (char c : label)
            if (!is_alnum(c) && c != '-') return false;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return true;
}

bool is_http_url(std::string_view v) {
    std::string_view rest;
    if (v.rfind("https://", 0) == 0) {
        rest = v.substr(8);
    } else if (v.rfind("http://", 0) == 0) {
        rest = v.substr(7);
    } else {
        return false;
    }
    const auto host_end = rest.find_first_of("/?#");
    auto host = rest.substr(0, host_end);
    if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
        const auto port = host.substr(colon + 1);
        if (port.empty() || port.size() > 5 ||
            !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return false;
        }
        host = host.substr(0, colon);
    }
    if (!is_hostname(host)) return false;
    return std::none_of(v.begin(), v.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c)) || c == '"' || c == '<' || c == '>';
    });
}

bool is_iso_date(std::string_view v) {
    if (v.size() != 10 || v[4] != '-' || v[7] != '-') return false;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (v[i] < '0' || v[i] > '9') return false;
    const int year = std::stoi(std::string(v.substr(0, 4)));
    const int month = std::stoi(std::string(v.substr(5, 2)));
    const int day = std::stoi(std::string(v.substr(8, 2)));
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1800 || month < 1 || month > 12 || day < 1) return false;
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

bool is_nhs_number(std::string_view d) {
    if (d.size() != 10 ||
        !std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
    }
    if (std::all_of(d.begin(), d.end(), [&](char c) { return c == d[0]; })) return false;
    int sum = 0;
    for (int i = 0; i < 9; ++i) sum += (d[static_cast<std::size_t>(i)] - '0') * (10 - i);
    int check = 11 - (sum % 11);
    if (check == 11) check = 0;
    if (check == 10) return false;
    return check == d[9] - '0';
}

bool is_uk_phone(std::string_view v) {
    std::string digits;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const char c = v[i];
        if (c >= '0' && c <= '9') {
            digits.push_back(c);
        } else if (c == '+' && i == 0) {
            digits.push_back(c);
        } else if (c != ' ' && c != '-' && c != '(' && c != ')') {
            return false;
        }
    }
    if (digits.rfind("+44", 0) == 0) return digits.size() == 13 && digits[3] != '0';
    return digits.size() >= 10 && digits.size() <= 11 && digits[0] == '0';
}

bool is_licence_number(std::string_view v) {
    return std::all_of(v.begin(), v.end(),
                       [](char c) { return is_alnum(c) || c == ' ' || c == '-' || c == '/'; });
}

bool is_uuid(std::string_view value) {
    return Uuid::parse(value).has_value();
}

std::size_t utf8_length(std::string_view value) {
    return static_cast<std::size_t>(std::count_if(value.begin(), value.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

Error validation_failed(std::vector<FieldError> errors) {
    Error error = Error::make(ErrorKind::invalid, "validation-failed",
                              "the request has invalid fields: see errors");
    error.fields = std::move(errors);
    return error;
}

Result<boost::json::object> validate_create(std::span<const FieldSpec> spec,
                                            const boost::json::object& body) {
    std::vector<FieldError> errors;
    reject_unknown(spec, body, errors);
    boost::json::object out;
    for (const auto& field : spec) {
        const auto it = body.find(field.name);
        if (it == body.end()) {
            if (field.required) {
                const std::string name(field.name);
                errors.push_back({name, "required", name + " is required"});
            }
            out[field.name] = field.kind == FieldKind::boolean ? boost::json::value(false)
                                                               : boost::json::value(nullptr);
            continue;
        }
        out[field.name] = check_value(field, it->value(), errors);
    }
    if (!errors.empty()) return validation_failed(std::move(errors));
    return out;
}

Result<boost::json::object> validate_patch(std::span<const FieldSpec> spec,
                                           const boost::json::object& body) {
    std::vector<FieldError> errors;
    reject_unknown(spec, body, errors);
    if (body.empty()) errors.push_back({"", "empty_patch", "the patch changes no field"});
    boost::json::object out;
    for (const auto& entry : body) {
        if (const auto* field = find_spec(spec, entry.key())) {
            auto value = check_value(*field, entry.value(), errors);
            if (field->kind == FieldKind::boolean && entry.value().is_null()) {
                const std::string name(field->name);
                errors.push_back({name, "type", name + " must be true or false"});
            }
            out[field->name] = std::move(value);
        }
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

}  // namespace cc::domain
