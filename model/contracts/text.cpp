#include "model/contracts/text.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace cc::contracts {
namespace {

std::string padding(int indent) {
    return std::string(static_cast<std::size_t>(indent), ' ');
}

void write_json(std::string& out, const boost::json::value& value, int indent) {
    if (value.is_object() && !value.as_object().empty()) {
        out += "{\n";
        bool first = true;
        for (const auto& entry : value.as_object()) {
            if (!first) out += ",\n";
            first = false;
            out += padding(indent + 2) + boost::json::serialize(boost::json::string(entry.key())) +
                   ": ";
            write_json(out, entry.value(), indent + 2);
        }
        out += "\n" + padding(indent) + "}";
    } else if (value.is_array() && !value.as_array().empty()) {
        out += "[\n";
        bool first = true;
        for (const auto& item : value.as_array()) {
            if (!first) out += ",\n";
            first = false;
            out += padding(indent + 2);
            write_json(out, item, indent + 2);
        }
        out += "\n" + padding(indent) + "]";
    } else {
        out += boost::json::serialize(value);
    }
}

// Words a YAML 1.1 reader takes for booleans or null: never plain keys.
bool reserved_word(std::string_view key) {
    static constexpr std::array kWords{"true", "false", "null", "yes", "no",
                                       "on",   "off",   "y",    "n",   "~"};
    std::string lower(key);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return std::find(kWords.begin(), kWords.end(), lower) != kWords.end();
}

bool plain_key(std::string_view key) {
    if (key.empty() || reserved_word(key)) return false;
    const auto first = static_cast<unsigned char>(key.front());
    if (!std::isalpha(first) && key.front() != '_' && key.front() != '$') return false;
    return std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
               c == '$';
    });
}

std::string yaml_key(std::string_view key) {
    return plain_key(key) ? std::string(key) : boost::json::serialize(boost::json::string(key));
}

// Prose that a literal block keeps byte for byte: one trailing newline at
// most, no tabs or carriage returns, no line ending in a space, and a first
// line that does not start with one (that would need an indentation hint).
bool literal_block(std::string_view text) {
    if (text.find('\n') == std::string_view::npos || text.empty() || text.front() == ' ' ||
        text.front() == '\n') {
        return false;
    }
    if (text.size() >= 2 && text.substr(text.size() - 2) == "\n\n") return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 && c != '\n') return false;
        if (c == ' ' && (i + 1 == text.size() || text[i + 1] == '\n')) return false;
    }
    return true;
}

bool empty_or_scalar(const boost::json::value& value) {
    if (value.is_object()) return value.as_object().empty();
    if (value.is_array()) return value.as_array().empty();
    return true;
}

std::string scalar(const boost::json::value& value) {
    if (value.is_object()) return "{}";
    if (value.is_array()) return "[]";
    return boost::json::serialize(value);
}

void write_yaml(std::string& out, const boost::json::value& value, int indent);

// What follows "key:" or "-": a scalar on the same line, a literal block, or
// a nested collection on the next lines.
void write_entry_value(std::string& out, const boost::json::value& value, int indent) {
    if (value.is_string() && literal_block(value.as_string())) {
        const std::string_view text = value.as_string();
        out += text.back() == '\n' ? " |\n" : " |-\n";
        std::size_t start = 0;
        while (start < text.size()) {
            auto end = text.find('\n', start);
            if (end == std::string_view::npos) end = text.size();
            const auto line = text.substr(start, end - start);
            if (!line.empty()) out += padding(indent + 2) + std::string(line);
            out += "\n";
            start = end + 1;
        }
        return;
    }
    if (empty_or_scalar(value)) {
        out += " " + scalar(value) + "\n";
        return;
    }
    out += "\n";
    write_yaml(out, value, indent + 2);
}

void write_yaml(std::string& out, const boost::json::value& value, int indent) {
    if (value.is_object()) {
        for (const auto& entry : value.as_object()) {
            out += padding(indent) + yaml_key(entry.key()) + ":";
            write_entry_value(out, entry.value(), indent);
        }
        return;
    }
    for (const auto& item : value.as_array()) {
        if (empty_or_scalar(item) || item.is_string()) {
            out += padding(indent) + "-";
            write_entry_value(out, item, indent);
            continue;
        }
        // A collection in a sequence starts on the dash's line ("- key: v").
        std::string nested;
        write_yaml(nested, item, indent + 2);
        nested.replace(static_cast<std::size_t>(indent), 2, "- ");
        out += nested;
    }
}

}  // namespace

std::string json_text(const boost::json::value& value) {
    std::string out;
    write_json(out, value, 0);
    return out + "\n";
}

std::string yaml_text(const boost::json::value& value, std::string_view comment) {
    std::string out = "# " + std::string(comment) + "\n";
    if (empty_or_scalar(value)) return out + scalar(value) + "\n";
    write_yaml(out, value, 0);
    return out;
}

}  // namespace cc::contracts
