#pragma once
// Field rules shared by every aggregate: the schema's VARCHAR lengths, the
// formats the product accepts, and the JSON shape of create/patch bodies.
// Pure functions: no I/O, testable in microseconds.
#include <boost/json/object.hpp>

#include <cstddef>
#include <span>
#include <string_view>

#include "platform/core/result.hpp"
#include "platform/core/text.hpp"

namespace cc::domain {

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

enum class FieldKind { text, boolean };

struct FieldSpec {
    std::string_view name;
    FieldKind kind = FieldKind::text;
    bool required = false;
    std::size_t max_length = 0;  // characters; 0 = unlimited (TEXT)
    bool (*format)(std::string_view) = nullptr;
    std::string_view format_message = {};
    bool lower_case = false;                               // normalised before checks (emails)
    std::string (*normalise)(std::string_view) = nullptr;  // applied before checks
    std::span<const std::string_view> one_of = {};
};

// Validates a create body: unknown keys, missing required fields, types,
// lengths and formats are all reported at once. The result holds every
// field of the spec (absent optional ones as null), trimmed and normalised.
Result<boost::json::object> validate_create(std::span<const FieldSpec> spec,
                                            const boost::json::object& body);
// Validates a patch body: any subset of the fields, at least one; a
// required field cannot be set to null.
Result<boost::json::object> validate_patch(std::span<const FieldSpec> spec,
                                           const boost::json::object& body);

// {"field": {"old": ..., "new": ...}} for each patched field whose value differs.
boost::json::object diff(const boost::json::object& current, const boost::json::object& patch);
// Applies the "new" side of a diff.
void apply_changes(boost::json::object& fields, const boost::json::object& changes);

Error validation_failed(std::vector<FieldError> errors);

}  // namespace cc::domain
