#pragma once
// JSON in the domain is a boost::json value (an owned DOM with no I/O);
// parsing goes through simdjson's on-demand parser, which validates UTF-8
// and structure before anything reaches a decider.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "platform/core/result.hpp"

namespace cc::json {

Result<boost::json::value> parse(std::string_view text);
// Parse and require a top-level object (command bodies, event payloads).
Result<boost::json::object> parse_object(std::string_view text);

// A command body: the object, and the exact source text of each top-level
// JSON number. A number with a fraction or an exponent is held in `fields`
// as that text (a string), so that a decimal never passes through a double;
// `numbers` tells it apart from a string the client sent.
struct Body {
    boost::json::object fields;
    std::map<std::string, std::string, std::less<>> numbers = {};
};
Result<Body> parse_body(std::string_view text);

std::string serialize(const boost::json::value& value);

// Accessors that tolerate absent keys: the caller decides what absence means.
const boost::json::value* find(const boost::json::object& object, std::string_view key);
std::optional<std::string> string_at(const boost::json::object& object, std::string_view key);

}  // namespace cc::json
