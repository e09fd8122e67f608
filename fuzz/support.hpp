#pragma once
// What the fuzz targets share: failing a property (an abort, which
// libFuzzer reports as a crash with the input that caused it), and an
// oracle for duplicate object keys that does not share code with the
// product's parser.
#include <boost/json/basic_parser_impl.hpp>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cc::fuzz {

[[noreturn]] inline void fail(const char* property, std::string_view detail = {}) {
    std::fprintf(stderr, "property failed: %s\n", property);
    if (!detail.empty()) {
        std::fprintf(stderr, "  %.*s\n",
                     static_cast<int>(std::min<std::size_t>(detail.size(), 2000)), detail.data());
    }
    std::abort();
}

inline void require(bool holds, const char* property, std::string_view detail = {}) {
    if (!holds) fail(property, detail);
}

namespace detail {

// Boost.JSON's SAX parser, keeping the keys seen in each open object.
struct KeyTracker {
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);

    std::vector<std::set<std::string>> open;
    std::string key;
    bool duplicate = false;

    using ec = boost::json::error_code;
    using sv = boost::json::string_view;
    bool on_document_begin(ec&) { return true; }
    bool on_document_end(ec&) { return true; }
    bool on_object_begin(ec&) {
        open.emplace_back();
        return true;
    }
    bool on_object_end(std::size_t, ec&) {
        open.pop_back();
        return true;
    }
    bool on_array_begin(ec&) { return true; }
    bool on_array_end(std::size_t, ec&) { return true; }
    bool on_key_part(sv part, std::size_t, ec&) {
        key.append(part.data(), part.size());
        return true;
    }
    bool on_key(sv part, std::size_t, ec&) {
        key.append(part.data(), part.size());
        if (!open.back().insert(key).second) duplicate = true;
        key.clear();
        return true;
    }
    bool on_string_part(sv, std::size_t, ec&) { return true; }
    bool on_string(sv, std::size_t, ec&) { return true; }
    bool on_number_part(sv, ec&) { return true; }
    bool on_int64(std::int64_t, sv, ec&) { return true; }
    bool on_uint64(std::uint64_t, sv, ec&) { return true; }
    bool on_double(double, sv, ec&) { return true; }
    bool on_bool(bool, ec&) { return true; }
    bool on_null(ec&) { return true; }
    bool on_comment_part(sv, ec&) { return true; }
    bool on_comment(sv, ec&) { return true; }
};

}  // namespace detail

// Whether `text` is one JSON document (by Boost.JSON, strict RFC 8259)
// with an object that names a key twice, after unescaping ("a" and
// "\u0061" are the same key). nullopt when Boost.JSON does not read it.
inline std::optional<bool> has_duplicate_key(std::string_view text) {
    boost::json::parse_options options;
    options.max_depth = 1000;
    boost::json::basic_parser<detail::KeyTracker> parser(options);
    boost::json::error_code ec;
    const auto used = parser.write_some(false, text.data(), text.size(), ec);
    if (ec || used != text.size() || !parser.done()) return std::nullopt;
    return parser.handler().duplicate;
}

}  // namespace cc::fuzz
