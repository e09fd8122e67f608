#include "platform/core/json.hpp"

#include <simdjson.h>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <map>

namespace cc::json {
namespace {

namespace od = simdjson::ondemand;

// simdjson never returns this code itself: it marks a repeated object key.
constexpr auto kDuplicateKey = simdjson::NUM_ERROR_CODES;

// Set when a command body is parsed: the exact text of its top-level numbers.
using NumberTexts = std::map<std::string, std::string, std::less<>>;

simdjson::error_code convert(od::value element, boost::json::value& out, int depth,
                             NumberTexts* numbers);

std::string_view trimmed_token(std::string_view token) {
    while (!token.empty() && (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' ||
                              token.back() == '\t')) {
        token.remove_suffix(1);
    }
    return token;
}

// In a command body (`exact`), a number with a fraction or an exponent stays
// its source text: an amount must never pass through a double. Elsewhere it
// is read from that text too: simdjson 3.0's get_number() answers 0, with no
// error, for a fraction with more than 19 integer digits (found by
// fuzz/jwt.cpp, where a token's nbf read as 0 here and as 1.7e51 by cpp-jwt).
simdjson::error_code convert_number(od::value element, boost::json::value& out, bool exact) {
    const std::string_view token = trimmed_token(element.raw_json_token());
    od::number number;
    if (auto error = element.get_number().get(number)) return error;
    switch (number.get_number_type()) {
        case od::number_type::signed_integer:
            out = number.get_int64();
            break;
        case od::number_type::unsigned_integer:
            out = number.get_uint64();
            break;
        default:
            if (exact) {
                out = boost::json::string(token);
            } else {
                double value = 0;
                const auto [end, ec] =
                    std::from_chars(token.data(), token.data() + token.size(), value);
                if (ec == std::errc::result_out_of_range) {
                    value = number.get_double();  // an underflow, which simdjson reads as 0
                } else if (ec != std::errc{} || end != token.data() + token.size()) {
                    return simdjson::NUMBER_ERROR;
                }
                out = value;
            }
            break;
    }
    return simdjson::SUCCESS;
}

simdjson::error_code convert(od::value element, boost::json::value& out, int depth,
                             NumberTexts* numbers) {
    // Nesting this deep is an attack, not a care record.
    if (depth > 64) return simdjson::DEPTH_ERROR;
    od::json_type type;
    if (auto error = element.type().get(type)) return error;
    switch (type) {
        case od::json_type::object: {
            od::object object;
            if (auto error = element.get_object().get(object)) return error;
            boost::json::object& result = out.emplace_object();
            for (auto field : object) {
                std::string_view key;
                if (auto error = field.unescaped_key().get(key)) return error;
                // {"role":"viewer","role":"admin"} must not grant admin.
                if (result.contains(key)) return kDuplicateKey;
                const std::string owned_key(key);
                boost::json::value child;
                od::value child_element;
                if (auto error = field.value().get(child_element)) return error;
                if (numbers != nullptr && depth == 0) {
                    od::json_type child_type;
                    if (auto error = child_element.type().get(child_type)) return error;
                    if (child_type == od::json_type::number) {
                        (*numbers)[owned_key] =
                            std::string(trimmed_token(child_element.raw_json_token()));
                    }
                }
                if (auto error = convert(child_element, child, depth + 1, numbers)) return error;
                result.insert_or_assign(owned_key, std::move(child));
            }
            return simdjson::SUCCESS;
        }
        case od::json_type::array: {
            od::array array;
            if (auto error = element.get_array().get(array)) return error;
            boost::json::array& result = out.emplace_array();
            for (auto item : array) {
                od::value child_element;
                if (auto error = item.get(child_element)) return error;
                boost::json::value child;
                if (auto error = convert(child_element, child, depth + 1, numbers)) return error;
                result.push_back(std::move(child));
            }
            return simdjson::SUCCESS;
        }
        case od::json_type::string: {
            std::string_view text;
            if (auto error = element.get_string().get(text)) return error;
            out = boost::json::string(text);
            return simdjson::SUCCESS;
        }
        case od::json_type::boolean: {
            bool flag = false;
            if (auto error = element.get_bool().get(flag)) return error;
            out = flag;
            return simdjson::SUCCESS;
        }
        case od::json_type::number:
            return convert_number(element, out, numbers != nullptr);
        case od::json_type::null: {
            bool is_null = false;
            if (auto error = element.is_null().get(is_null)) return error;
            if (!is_null) return simdjson::N_ATOM_ERROR;
            out = nullptr;
            return simdjson::SUCCESS;
        }
    }
    return simdjson::INCORRECT_TYPE;
}

Result<boost::json::value> parse_into(std::string_view text, NumberTexts* numbers) {
    // simdjson reads up to SIMDJSON_PADDING bytes past the end; copy into a padded buffer.
    const simdjson::padded_string padded(text);
    thread_local od::parser parser;
    od::document document;
    if (auto error = parser.iterate(padded).get(document)) {
        return Error::make(ErrorKind::malformed, "malformed-json", simdjson::error_message(error));
    }
    boost::json::value out;
    // A scalar document cannot be read as an od::value; wrap the common case.
    od::value root;
    if (auto error = document.get_value().get(root)) {
        return Error::make(ErrorKind::malformed, "malformed-json", simdjson::error_message(error));
    }
    if (auto error = convert(root, out, 0, numbers)) {
        if (error == kDuplicateKey) {
            return Error::make(ErrorKind::malformed, "malformed-json",
                               "an object names the same key twice");
        }
        return Error::make(ErrorKind::malformed, "malformed-json", simdjson::error_message(error));
    }
    // current_location() fails with OUT_OF_BOUNDS only once the input is used up.
    if (document.current_location().error() != simdjson::OUT_OF_BOUNDS) {
        return Error::make(ErrorKind::malformed, "malformed-json", "trailing content after JSON");
    }
    return out;
}

}  // namespace

Result<boost::json::value> parse(std::string_view text) {
    return parse_into(text, nullptr);
}

Result<Body> parse_body(std::string_view text) {
    Body body;
    auto value = parse_into(text, &body.numbers);
    if (!value) return std::move(value).error();
    if (!value->is_object()) {
        return Error::make(ErrorKind::malformed, "malformed-json", "expected a JSON object");
    }
    body.fields = std::move(value->as_object());
    return body;
}

Result<boost::json::object> parse_object(std::string_view text) {
    auto value = parse(text);
    if (!value) return std::move(value).error();
    if (!value->is_object()) {
        return Error::make(ErrorKind::malformed, "malformed-json", "expected a JSON object");
    }
    return std::move(value->as_object());
}

std::string serialize(const boost::json::value& value) {
    return boost::json::serialize(value);
}

const boost::json::value* find(const boost::json::object& object, std::string_view key) {
    auto it = object.find(key);
    return it == object.end() ? nullptr : &it->value();
}

std::optional<std::string> string_at(const boost::json::object& object, std::string_view key) {
    const auto* value = find(object, key);
    if (value == nullptr || !value->is_string()) return std::nullopt;
    return std::string(value->as_string());
}

}  // namespace cc::json
