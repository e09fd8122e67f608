#pragma once
// The file types a document may have, told from the content's magic bytes
// rather than from what a client says: an allow-list, so a file the product
// cannot vouch for (an executable, an archive) is never stored. Pure.
#include <span>
#include <string>
#include <string_view>

namespace cc::model {

struct FileType {
    std::string_view name;  // documents.file_type (VARCHAR(50)): "pdf", "docx", ...
    std::string_view mime;  // Content-Type of a download
    std::string_view extension;
};

std::span<const FileType> allowed_file_types();
const FileType* file_type_named(std::string_view name);
// The allowed type a declared media type names ("image/png; x=y" included),
// or nullptr.
const FileType* file_type_for_mime(std::string_view mime);

enum class TypeVerdict {
    ok,
    empty,        // no bytes at all
    not_allowed,  // the content (or the declared type) is not on the allow-list: 415
    mismatch,     // the declared type contradicts the content: 422
};

struct TypeCheck {
    TypeVerdict verdict = TypeVerdict::not_allowed;
    const FileType* type = nullptr;  // ok: what is stored; mismatch: what the bytes are
};

// The content's type from its magic bytes, checked against `declared` (a
// media type; "" or application/octet-stream declare nothing). Text has no
// magic: UTF-8 without control characters is txt, or csv when declared so.
TypeCheck check_file_type(std::string_view bytes, std::string_view declared);

// A download's file name, safe in Content-Disposition: letters, digits,
// spaces, dots, hyphens and underscores (anything else becomes _), at most
// 100 characters, never hidden, ending in the type's extension.
std::string safe_filename(std::string_view name, const FileType& type);

}  // namespace cc::model
