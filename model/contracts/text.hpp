#pragma once
// The committed contract files are text that a reviewer diffs: one stable,
// indented rendering for JSON and one for YAML, both from boost::json values
// (whose objects keep insertion order, so the output order is the code's).
#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace cc::contracts {

// Two-space indented JSON with a final newline.
std::string json_text(const boost::json::value& value);

// Block-style YAML of a JSON value, after a leading `# comment` line. Strings
// are JSON-style double-quoted scalars (valid YAML), except multi-line prose,
// which becomes a literal block so that it stays readable.
std::string yaml_text(const boost::json::value& value, std::string_view comment);

}  // namespace cc::contracts
