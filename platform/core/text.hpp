#pragma once
#include <cstddef>
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

// `text` with every byte that is not part of well-formed UTF-8 (RFC 3629:
// no overlong forms, surrogates or code points past U+10FFFF) replaced by
// U+FFFD. For text a client sent that an answer repeats (a header, a
// percent-decoded path): JSON must be UTF-8, and Boost.JSON writes strings
// as given.
inline std::string valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const auto continuation = [&](std::size_t i) {
        return i < text.size() && (byte(i) & 0xC0) == 0x80;
    };
    for (std::size_t i = 0; i < text.size();) {
        const unsigned char lead = byte(i);
        std::size_t length = 0;
        if (lead < 0x80) {
            length = 1;
        } else if (lead >= 0xC2 && lead <= 0xDF) {
            length = continuation(i + 1) ? 2 : 0;
        } else if (lead >= 0xE0 && lead <= 0xEF && continuation(i + 1) && continuation(i + 2)) {
            const unsigned char second = byte(i + 1);
            const bool overlong = lead == 0xE0 && second < 0xA0;
            const bool surrogate = lead == 0xED && second >= 0xA0;
            length = overlong || surrogate ? 0 : 3;
        } else if (lead >= 0xF0 && lead <= 0xF4 && continuation(i + 1) && continuation(i + 2) &&
                   continuation(i + 3)) {
            const unsigned char second = byte(i + 1);
            const bool overlong = lead == 0xF0 && second < 0x90;
            const bool too_high = lead == 0xF4 && second >= 0x90;
            length = overlong || too_high ? 0 : 4;
        }
        if (length == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(text.substr(i, length));
            i += length;
        }
    }
    return out;
}

}  // namespace cc
