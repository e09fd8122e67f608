#pragma once
// Reading a /metrics page (Prometheus text format) in tests.
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace cc::testing {

// The value of the first sample of `name` whose labels include every one of
// `labels` (each written as in the text: partition="3"); nullopt if none.
inline std::optional<double> metric_sample(const std::string& text, std::string_view name,
                                           const std::vector<std::string>& labels = {}) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] == '#' || !line.starts_with(name)) continue;
        const auto rest = std::string_view(line).substr(name.size());
        if (rest.empty() || (rest[0] != ' ' && rest[0] != '{')) continue;  // a longer name
        const auto value_at = line.rfind(' ');
        const auto label_text = std::string_view(line).substr(0, value_at);
        bool all = true;
        for (const auto& label : labels) all = all && label_text.find(label) != std::string::npos;
        if (all) return std::stod(line.substr(value_at + 1));
    }
    return std::nullopt;
}

}  // namespace cc::testing
