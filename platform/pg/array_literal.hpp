#pragma once
// PostgreSQL array literals ('{"a","b",NULL}'), the text form of an array
// parameter: many rows go to the server as one parameter per column, and
// the statement text stays the same whatever the row count, so it is
// prepared once. Pure: no libpqxx.
#include <concepts>
#include <optional>
#include <string>
#include <string_view>

namespace cc::pg {

class ArrayLiteral {
  public:
    // Every element quoted: "", "NULL" and text with commas or braces are
    // values, not syntax.
    ArrayLiteral& add(std::string_view element) {
        separate();
        text_ += '"';
        std::size_t from = 0;
        for (auto at = element.find_first_of("\"\\"); at != std::string_view::npos;
             at = element.find_first_of("\"\\", from)) {
            text_.append(element, from, at - from).append(1, '\\').append(1, element[at]);
            from = at + 1;
        }
        text_.append(element, from).append(1, '"');
        return *this;
    }

    ArrayLiteral& add(const std::string& element) { return add(std::string_view(element)); }
    ArrayLiteral& add(const char* element) { return add(std::string_view(element)); }

    ArrayLiteral& add(const std::optional<std::string>& element) {
        if (element) return add(std::string_view(*element));
        separate();
        text_ += "NULL";
        return *this;
    }

    // A number needs no quotes.
    template <std::integral Number>
    ArrayLiteral& add(Number number) {
        separate();
        text_ += std::to_string(number);
        return *this;
    }

    void reserve(std::size_t bytes) { text_.reserve(bytes); }

    std::string take() && {
        text_ += '}';
        return std::move(text_);
    }

  private:
    void separate() {
        if (text_.size() > 1) text_ += ',';
    }

    std::string text_ = "{";
};

// The literal of a range of elements (strings, optional strings, string
// views or numbers).
template <class Range>
std::string array_literal(const Range& elements) {
    ArrayLiteral array;
    for (const auto& element : elements) array.add(element);
    return std::move(array).take();
}

}  // namespace cc::pg
