#pragma once
// A described field as JSON Schema: as it is stored and published (event
// payloads, query answers) and as a client may send it (request bodies,
// which the command service trims and normalises before its checks).
#include <boost/json/object.hpp>

#include <string>
#include <string_view>

#include "model/description.hpp"

namespace cc::contracts {

inline constexpr std::string_view kUuidPattern =
    "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
inline constexpr std::string_view kDatePattern =
    "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";
inline constexpr std::string_view kPositionPattern = "^[0-9]+:[0-9]+$";

// DECIMAL(precision, scale) as the stored text: exactly `scale` decimals,
// e.g. ^-?[0-9]{1,8}\.[0-9]{2}$ for (10,2).
std::string decimal_pattern(int precision, int scale, bool non_negative);

// A value that is always present but may be null.
void make_nullable(boost::json::object& schema);

boost::json::object uuid_schema(std::string_view description);
boost::json::object timestamp_schema(std::string_view description);

// "<doc> (<table>.<column>)": where a consumer finds the value again.
std::string field_description(const model::Aggregate& aggregate, const model::Field& field);

// The stored value: normalised, non-empty text, decimals as their exact text.
// Nullable when the field is optional (booleans never are: absent is false).
boost::json::object stored_schema(const model::Aggregate& aggregate, const model::Field& field);
bool stored_nullable(const model::Field& field);

// What a request may carry: patterns and lengths only where the service
// checks the text as sent (it strips spaces from NHS numbers and lower-cases
// emails first), decimals as text or a JSON number, null to clear.
boost::json::object input_schema(const model::Aggregate& aggregate, const model::Field& field);

// A query-string value for a filter on `field`.
boost::json::object parameter_schema(const model::Field& field);

}  // namespace cc::contracts
