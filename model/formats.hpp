#pragma once
// The text formats the product accepts (a field's `format`). Pure.
#include <cstddef>
#include <string_view>

#include "platform/core/text.hpp"

namespace cc::model {

bool is_email(std::string_view value);
bool is_slug(std::string_view value);             // lower-case words joined by single hyphens
bool is_hex_colour(std::string_view value);       // #rrggbb
bool is_http_url(std::string_view value);         // absolute http(s) URL, no spaces
bool is_hostname(std::string_view value);         // DNS name, e.g. care.example.org
std::size_t utf8_length(std::string_view value);  // VARCHAR(n) counts characters
bool is_iso_date(std::string_view value);         // YYYY-MM-DD, a real calendar date
// NHS number after normalisation: 10 digits, Modulus 11 check digit
// (DESIGN.md), not all the same digit.
bool is_nhs_number(std::string_view digits);
using ::cc::without_spaces;
// UK phone: +44 and 10 digits, or 0 and 9-10 digits; spaces, hyphens and
// brackets allowed between digits.
bool is_uk_phone(std::string_view value);
// Professional registration numbers (GMC, NMC, HCPC...): letters, digits,
// spaces, hyphens and slashes.
bool is_licence_number(std::string_view value);
bool is_uuid(std::string_view value);

}  // namespace cc::model
