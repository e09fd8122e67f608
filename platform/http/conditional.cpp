#include "platform/http/conditional.hpp"

#include <cctype>

namespace cc::http {
namespace {

bool is_tchar(char c) {
    static constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           extra.find(c) != std::string_view::npos;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

void skip_ows(std::string_view& text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
}

std::optional<std::string> take_token(std::string_view& text) {
    std::size_t n = 0;
    while (n < text.size() && is_tchar(text[n])) ++n;
    if (n == 0) return std::nullopt;
    std::string out(text.substr(0, n));
    text.remove_prefix(n);
    return out;
}

// quoted-string with quoted-pair escapes, the quotes removed.
std::optional<std::string> take_quoted(std::string_view& text) {
    if (text.empty() || text.front() != '"') return std::nullopt;
    std::string out;
    for (std::size_t i = 1; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
            out.push_back(text[++i]);
        } else if (text[i] == '"') {
            text.remove_prefix(i + 1);
            return out;
        } else {
            out.push_back(text[i]);
        }
    }
    return std::nullopt;
}

// etagc = %x21 / %x23-7E / obs-text: anything visible but DQUOTE.
bool is_etagc(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == 0x21 || (u >= 0x23 && u != 0x7f);
}

}  // namespace

std::optional<MediaType> parse_media_type(std::string_view text) {
    skip_ows(text);
    MediaType out;
    auto type = take_token(text);
    if (!type || text.empty() || text.front() != '/') return std::nullopt;
    text.remove_prefix(1);
    auto subtype = take_token(text);
    if (!subtype) return std::nullopt;
    out.type = lower(*type);
    out.subtype = lower(*subtype);
    for (;;) {
        skip_ows(text);
        if (text.empty()) return out;
        if (text.front() != ';') return std::nullopt;
        text.remove_prefix(1);
        skip_ows(text);
        if (text.empty()) return out;  // a trailing ";" is tolerated, as browsers send it
        auto name = take_token(text);
        if (!name || text.empty() || text.front() != '=') return std::nullopt;
        text.remove_prefix(1);
        auto value = !text.empty() && text.front() == '"' ? take_quoted(text) : take_token(text);
        if (!value) return std::nullopt;
        out.parameters.emplace_back(lower(*name), std::move(*value));
    }
}

bool is_json_media_type(const MediaType& media_type) {
    if (media_type.type != "application" || media_type.subtype != "json") return false;
    for (const auto& [name, value] : media_type.parameters) {
        if (name != "charset" || lower(value) != "utf-8") return false;
    }
    return true;
}

std::optional<TagList> parse_tag_list(std::string_view text) {
    TagList out;
    skip_ows(text);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    if (text == "*") {
        out.any = true;
        return out;
    }
    bool expect_tag = true;
    while (!text.empty()) {
        skip_ows(text);
        if (text.empty()) break;
        if (text.front() == ',') {  // empty list elements are allowed (#rule)
            text.remove_prefix(1);
            expect_tag = true;
            continue;
        }
        if (!expect_tag) return std::nullopt;
        EntityTag tag;
        if (text.starts_with("W/")) {
            tag.weak = true;
            text.remove_prefix(2);
        }
        if (text.empty() || text.front() != '"') return std::nullopt;
        const auto close = text.find('"', 1);
        if (close == std::string_view::npos) return std::nullopt;
        tag.opaque = std::string(text.substr(1, close - 1));
        for (char c : tag.opaque)
            if (!is_etagc(c)) return std::nullopt;
        text.remove_prefix(close + 1);
        out.tags.push_back(std::move(tag));
        expect_tag = false;
    }
    if (out.tags.empty()) return std::nullopt;
    return out;
}

bool none_match_fails(const TagList& condition, const EntityTag& current) {
    if (condition.any) return true;
    for (const auto& tag : condition.tags)
        if (tag.opaque == current.opaque) return true;
    return false;
}

}  // namespace cc::http
