#pragma once
// Request bodies checked against an aggregate's description: unknown keys,
// required fields, types, lengths, formats, enumerations, exact decimals,
// RFC 3339 timestamps, text arrays. Every fault is reported at once, each
// with its field. Pure: no I/O, testable in microseconds.
#include <boost/json/object.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "model/description.hpp"
#include "platform/core/json.hpp"
#include "platform/core/result.hpp"

namespace cc::model {

using json::Body;

// A create body: every client field of the description, absent optional
// ones as null (booleans false), trimmed and normalised. Fields the server
// sets (the caller's id, the status) are refused if sent.
Result<boost::json::object> validate_create(std::span<const Field> fields, const Body& body);
// A patch: any subset of the client fields, at least one, none immutable; a
// required field cannot be set to null.
Result<boost::json::object> validate_patch(std::span<const Field> fields, const Body& body);

// One value of a field, checked and normalised; nullopt with `errors`
// appended when it is refused. `number_text` is a JSON number's source text
// (Body::numbers), which a decimal is read from.
std::optional<boost::json::value> check_value(const Field& field, const boost::json::value& value,
                                              bool was_number, std::vector<FieldError>& errors,
                                              const std::string* number_text = nullptr);

// DECIMAL(precision, scale) from its text: plain digits with an optional
// sign and fraction, no exponent, at most `scale` decimals and
// precision - scale integer digits, no minus sign when non_negative (not
// even -0). Normalised to exactly `scale` decimals ("12.5" -> "12.50", a
// signed field's "-0" -> "0.00"). nullopt with the reason otherwise.
struct DecimalText {
    std::optional<std::string> value;
    std::string problem;
};
DecimalText parse_decimal(std::string_view text, int precision, int scale, bool non_negative);

Error validation_failed(std::vector<FieldError> errors);
Error invalid_field(std::string field, std::string code, std::string message);

// {"field": {"old": ..., "new": ...}} for each patched field whose value differs.
boost::json::object diff(const boost::json::object& current, const boost::json::object& patch);
// Applies the "new" side of a diff.
void apply_changes(boost::json::object& fields, const boost::json::object& changes);

}  // namespace cc::model
