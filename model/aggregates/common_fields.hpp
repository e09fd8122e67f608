#pragma once
// Fields that several aggregates share, written once: names of people,
// e-mail addresses, UK telephone numbers.
#include "model/description.hpp"
#include "model/formats.hpp"
#include "model/patterns.hpp"

namespace cc::model::fields {

inline constexpr Field kFirstName{
    .name = "first_name", .max_length = 255, .required = true, .doc = "Given name, trimmed."};
inline constexpr Field kLastName{
    .name = "last_name", .max_length = 255, .required = true, .doc = "Family name, trimmed."};

// An e-mail address, lower-cased before it is checked or stored.
consteval Field email(std::string_view name, std::string_view message, std::string_view doc) {
    return {.name = name,
            .max_length = 255,
            .lower_case = true,
            .format = is_email,
            .format_message = message,
            .pattern = patterns::kEmail,
            .doc = doc};
}

// A UK telephone number, kept as entered.
consteval Field uk_phone(std::string_view name, std::string_view message) {
    return {.name = name,
            .max_length = 20,
            .format = is_uk_phone,
            .format_message = message,
            .pattern = patterns::kUkPhone,
            .doc = "UK telephone number as entered."};
}

}  // namespace cc::model::fields
