#include "model/file_types.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace cc::model {
namespace {

constexpr std::array kTypes{
    FileType{"pdf", "application/pdf", "pdf"},
    FileType{"png", "image/png", "png"},
    FileType{"jpeg", "image/jpeg", "jpg"},
    FileType{"gif", "image/gif", "gif"},
    FileType{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "docx"},
    FileType{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
    FileType{"txt", "text/plain", "txt"},
    FileType{"csv", "text/csv", "csv"},
};

bool starts_with(std::string_view bytes, std::string_view magic) {
    return bytes.substr(0, magic.size()) == magic;
}

// UTF-8, and no control characters but tab, line breaks and form feed: what
// a person reads as text. Binary formats fail this within their first bytes.
bool is_text(std::string_view bytes) {
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') return false;
            if (c == 0x7F) return false;
            ++i;
            continue;
        }
        std::size_t length = 0;
        unsigned min = 0;
        unsigned code = 0;
        if ((c & 0xE0) == 0xC0) {
            length = 2, min = 0x80, code = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            length = 3, min = 0x800, code = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            length = 4, min = 0x10000, code = c & 0x07;
        } else {
            return false;
        }
        if (i + length > bytes.size()) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(bytes[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            code = (code << 6) | (next & 0x3F);
        }
        // Overlong forms, surrogates and values past Unicode are not text.
        if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
        i += length;
    }
    return true;
}

// Office Open XML files are ZIP archives; what sets a document apart from a
// workbook (or from any other archive, which is not allowed) is the parts it
// names, which appear in its local headers and central directory.
const FileType* office_type(std::string_view bytes) {
    if (bytes.find("[Content_Types].xml") == std::string_view::npos) return nullptr;
    if (bytes.find("word/document.xml") != std::string_view::npos) return file_type_named("docx");
    if (bytes.find("xl/workbook.xml") != std::string_view::npos) return file_type_named("xlsx");
    return nullptr;
}

const FileType* sniff(std::string_view bytes) {
    if (starts_with(bytes, "%PDF-")) return file_type_named("pdf");
    if (starts_with(bytes, "\x89PNG\r\n\x1a\n")) return file_type_named("png");
    if (starts_with(bytes, "\xFF\xD8\xFF")) return file_type_named("jpeg");
    if (starts_with(bytes, "GIF87a") || starts_with(bytes, "GIF89a")) return file_type_named("gif");
    if (starts_with(bytes, std::string_view("PK\x03\x04", 4))) return office_type(bytes);
    if (is_text(bytes)) return file_type_named("txt");
    return nullptr;
}

}  // namespace

std::span<const FileType> allowed_file_types() {
    return kTypes;
}

const FileType* file_type_named(std::string_view name) {
    for (const auto& type : kTypes)
        if (type.name == name) return &type;
    return nullptr;
}

const FileType* file_type_for_mime(std::string_view mime) {
    std::string bare(mime.substr(0, mime.find(';')));
    while (!bare.empty() && std::isspace(static_cast<unsigned char>(bare.back()))) bare.pop_back();
    for (auto& c : bare) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (bare == "image/jpg") bare = "image/jpeg";  // common, if not registered
    for (const auto& type : kTypes)
        if (type.mime == bare) return &type;
    return nullptr;
}

TypeCheck check_file_type(std::string_view bytes, std::string_view declared) {
    if (bytes.empty()) return {TypeVerdict::empty, nullptr};
    const auto* content = sniff(bytes);
    const auto undeclared = declared.empty() || declared.rfind("application/octet-stream", 0) == 0;
    const auto* named = undeclared ? nullptr : file_type_for_mime(declared);
    if (content == nullptr || (!undeclared && named == nullptr)) {
        return {TypeVerdict::not_allowed, content};
    }
    if (named == nullptr || named == content) return {TypeVerdict::ok, content};
    // CSV is text with a convention: the declaration is all that tells it apart.
    if (content->name == "txt" && named->name == "csv") return {TypeVerdict::ok, named};
    return {TypeVerdict::mismatch, content};
}

std::string safe_filename(std::string_view name, const FileType& type) {
    std::string out;
    for (char c : name) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == ' ' || c == '.' || c == '-' || c == '_';
        out.push_back(plain ? c : '_');
        if (out.size() == 100) break;
    }
    // No hidden files, no "..": names start with a letter or digit.
    while (!out.empty() && (out.front() == '.' || out.front() == ' ')) out.erase(out.begin());
    while (!out.empty() && (out.back() == '.' || out.back() == ' ')) out.pop_back();
    if (out.empty()) out = "document";
    const std::string suffix = "." + std::string(type.extension);
    const auto has_suffix =
        out.size() >= suffix.size() &&
        std::equal(suffix.rbegin(), suffix.rend(), out.rbegin(), [](char x, char y) {
            return std::tolower(static_cast<unsigned char>(x)) ==
                   std::tolower(static_cast<unsigned char>(y));
        });
    if (!has_suffix) out += suffix;
    return out;
}

}  // namespace cc::model
