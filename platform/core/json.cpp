#include "platform/core/json.hpp"

#include <simdjson.h>
#include <boost/json/serialize.hpp>

namespace cc::json {
namespace {

namespace od = simdjson::ondemand;

simdjson::error_code convert(od::value element, boost::json::value& out, int depth);

simdjson::error_code convert_number(od::value element, boost::json::value& out) {
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
            out = number.get_double();
            break;
    }
    return simdjson::SUCCESS;
}

simdjson::error_code convert(od::value element, boost::json::value& out, int depth) {
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
                boost::json::value child;
                od::value child_element;
                if (auto error = field.value().get(child_element)) return error;
                if (auto error = convert(child_element, child, depth + 1)) return error;
                result.insert_or_assign(key, std::move(child));
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
                if (auto error = convert(child_element, child, depth + 1)) return error;
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
            return convert_number(element, out);
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

}  // namespace

Result<boost::json::value> parse(std::string_view text) {
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
    if (auto error = convert(root, out, 0)) {
        return Error::make(ErrorKind::malformed, "malformed-json", simdjson::error_message(error));
    }
    // current_location() fails with OUT_OF_BOUNDS only once the input is used up.
    if (document.current_location().error() != simdjson::OUT_OF_BOUNDS) {
        return Error::make(ErrorKind::malformed, "malformed-json", "trailing content after JSON");
    }
    return out;
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
