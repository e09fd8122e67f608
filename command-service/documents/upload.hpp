#pragma once
// What an upload request carries, read without I/O: the file's bytes, the
// type a client declared, and the metadata fields, either as
// multipart/form-data (a `file` part and one part per field) or as the raw
// body with the fields as query parameters. Then what the server makes of
// the bytes: size against the limit, type from the magic bytes, SHA-256 and
// the blob key. Pure: strings in, values or errors out.
#include <boost/json/object.hpp>

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "model/description.hpp"
#include "model/file_types.hpp"
#include "platform/core/json.hpp"
#include "platform/core/result.hpp"

namespace cc::documents {

inline constexpr std::size_t kDefaultMaxBytes = 25 * 1024 * 1024;
// Room for a multipart body's boundaries, part headers and fields around a
// file of the largest allowed size: what the HTTP server reads at most.
inline constexpr std::size_t kMultipartOverhead = 64 * 1024;

struct UploadRequest {
    std::string_view bytes;     // the file: a view into the request body
    std::string declared_type;  // its media type as the client said ("" for none)
    json::Body metadata;        // name, patient_id, category, tags
};

// `content_type` is the request's; `query` its query parameters. Fields
// come from the form in a multipart body and from the query otherwise
// (`tags` repeated, or `tags[]`); 400 for a body that is not the multipart
// it claims, 422 naming `file` when there is no file part.
Result<UploadRequest> read_upload(std::string_view content_type, std::string_view body,
                                  const std::multimap<std::string, std::string>& query);

struct ExaminedFile {
    std::string sha256;  // lower-case hex
    std::string key;     // blob key derived from it
    const model::FileType* type = nullptr;
    std::size_t size = 0;
};

// 413 over `max_bytes`, 422 empty, 415 not on the allow-list (by content or
// by declaration), 422 file-type-mismatch when the declared type contradicts
// the magic bytes; each names the field `file`.
Result<ExaminedFile> examine(const UploadRequest& upload, std::size_t max_bytes);

// The fields the description's Upload names, as the create command's computed values.
boost::json::object computed_fields(const model::Upload& upload, const ExaminedFile& file);

}  // namespace cc::documents
