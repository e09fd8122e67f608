#pragma once
#include <string>
#include <string_view>

namespace cc {

// "943 476 5919" -> "9434765919": NHS numbers are written with spaces, stored without.
inline std::string without_spaces(std::string_view value) {
    std::string out;
    for (char c : value)
        if (c != ' ') out.push_back(c);
    return out;
}

}  // namespace cc
