#include "command-service/documents/upload.hpp"

#include <boost/json/array.hpp>

#include <cctype>
#include <optional>
#include <vector>

#include "model/validate.hpp"
#include "platform/blob/blob_store.hpp"
#include "platform/core/hash.hpp"

namespace cc::documents {
namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    return text;
}

// The value of `name=` among a header's ;-separated parameters, quoted or not.
std::optional<std::string> header_parameter(std::string_view header, std::string_view name) {
    std::size_t at = header.find(';');
    while (at != std::string_view::npos) {
        auto rest = trimmed(header.substr(at + 1));
        const auto equals = rest.find('=');
        if (equals == std::string_view::npos) return std::nullopt;
        const auto key = lower(trimmed(rest.substr(0, equals)));
        auto value = trimmed(rest.substr(equals + 1));
        std::string out;
        std::size_t consumed = 0;
        if (!value.empty() && value.front() == '"') {
            std::size_t i = 1;
            for (; i < value.size() && value[i] != '"'; ++i) {
                if (value[i] == '\\' && i + 1 < value.size()) ++i;
                out.push_back(value[i]);
            }
            consumed = i + 1;
        } else {
            consumed = std::min(value.find(';'), value.size());
            out = std::string(trimmed(value.substr(0, consumed)));
        }
        if (key == name) return out;
        const auto next = value.find(';', std::min(consumed, value.size()));
        if (next == std::string_view::npos) return std::nullopt;
        header = value.substr(next);
        at = 0;
    }
    return std::nullopt;
}

Error malformed(const std::string& detail) {
    return Error::make(ErrorKind::malformed, "malformed-multipart", detail);
}

bool is_tags(std::string_view name) {
    return name == "tags" || name == "tags[]";
}

// Collects the metadata fields, whichever way they came.
class Fields {
  public:
    Status add(const std::string& name, std::string value) {
        if (is_tags(name)) {
            tags_.emplace_back(std::move(value));
            has_tags_ = true;
            return {};
        }
        if (body_.fields.contains(name)) {
            return model::invalid_field(name, "duplicate", name + " is given more than once");
        }
        body_.fields[name] = std::move(value);
        return {};
    }
    bool has(std::string_view name) const { return body_.fields.contains(name); }
    json::Body take() {
        if (has_tags_) {
            boost::json::array tags;
            for (auto& tag : tags_) tags.emplace_back(boost::json::string(tag));
            body_.fields["tags"] = std::move(tags);
        }
        return std::move(body_);
    }

  private:
    json::Body body_;
    std::vector<std::string> tags_;
    bool has_tags_ = false;
};

Result<UploadRequest> read_multipart(std::string_view content_type, std::string_view body) {
    const auto boundary = header_parameter(content_type, "boundary");
    if (!boundary || boundary->empty() || boundary->size() > 70) {
        return malformed("multipart/form-data needs a boundary of 1 to 70 characters");
    }
    const std::string delimiter = "--" + *boundary;
    auto at = body.find(delimiter);
    if (at == std::string_view::npos) return malformed("the body has no part");
    UploadRequest out;
    Fields fields;
    bool have_file = false;
    std::string file_name;
    for (;;) {
        at += delimiter.size();
        if (body.substr(at, 2) == "--") break;  // the close delimiter
        if (body.substr(at, 2) != "\r\n") return malformed("a delimiter must end its line");
        at += 2;
        const auto headers_end = body.find("\r\n\r\n", at);
        if (headers_end == std::string_view::npos) return malformed("a part has no header end");
        const auto headers = body.substr(at, headers_end - at + 2);
        const auto content_start = headers_end + 4;
        const auto next = body.find("\r\n" + delimiter, content_start);
        if (next == std::string_view::npos) return malformed("a part is not closed");
        const auto content = body.substr(content_start, next - content_start);
        std::optional<std::string> name;
        std::optional<std::string> filename;
        std::string part_type;
        for (std::size_t line = 0; line < headers.size();) {
            const auto end = headers.find("\r\n", line);
            const auto text = headers.substr(line, end - line);
            line = end + 2;
            const auto colon = text.find(':');
            if (colon == std::string_view::npos) continue;
            const auto header = lower(trimmed(text.substr(0, colon)));
            const auto value = trimmed(text.substr(colon + 1));
            if (header == "content-disposition") {
                name = header_parameter(value, "name");
                filename = header_parameter(value, "filename");
            } else if (header == "content-type") {
                part_type = std::string(value);
            }
        }
        if (!name) return malformed("a part has no Content-Disposition name");
        if (*name == "file") {
            if (have_file) return model::invalid_field("file", "duplicate", "send one file");
            have_file = true;
            out.bytes = content;
            out.declared_type = part_type;
            if (filename) file_name = *filename;
        } else if (auto s = fields.add(*name, std::string(content)); !s) {
            return std::move(s).error();
        }
        at = next + 2;
    }
    if (!have_file) return model::invalid_field("file", "required", "the form needs a file part");
    // Without a name field, the document is called what the file was.
    if (!fields.has("name") && !file_name.empty()) (void)fields.add("name", file_name);
    out.metadata = fields.take();
    return out;
}

}  // namespace

Result<UploadRequest> read_upload(std::string_view content_type, std::string_view body,
                                  const std::multimap<std::string, std::string>& query) {
    if (lower(content_type).rfind("multipart/form-data", 0) == 0) {
        return read_multipart(content_type, body);
    }
    UploadRequest out;
    out.bytes = body;
    out.declared_type = std::string(content_type);
    Fields fields;
    for (const auto& [name, value] : query) {
        if (auto s = fields.add(name, value); !s) return std::move(s).error();
    }
    out.metadata = fields.take();
    return out;
}

Result<ExaminedFile> examine(const UploadRequest& upload, std::size_t max_bytes) {
    const auto refuse = [](ErrorKind kind, std::string type, std::string code,
                           std::string message) {
        Error error = Error::make(kind, std::move(type), message);
        error.fields.push_back({"file", std::move(code), std::move(message)});
        return error;
    };
    if (upload.bytes.size() > max_bytes) {
        return refuse(ErrorKind::too_large, "document-too-large", "too_large",
                      "the file is " + std::to_string(upload.bytes.size()) +
                          " bytes; the limit is " + std::to_string(max_bytes));
    }
    const auto check = model::check_file_type(upload.bytes, upload.declared_type);
    switch (check.verdict) {
        case model::TypeVerdict::empty:
            return refuse(ErrorKind::invalid, "validation-failed", "empty", "the file is empty");
        case model::TypeVerdict::not_allowed:
            return refuse(ErrorKind::unsupported_media_type, "file-type-not-allowed", "type",
                          "the file must be a PDF, PNG, JPEG, GIF, DOCX, XLSX, plain text or CSV" +
                              (upload.declared_type.empty()
                                   ? std::string()
                                   : " (declared: " + upload.declared_type.substr(0, 100) + ")"));
        case model::TypeVerdict::mismatch:
            return refuse(ErrorKind::invalid, "file-type-mismatch", "type_mismatch",
                          "the file was declared " + upload.declared_type.substr(0, 100) +
                              " but its content is " + std::string(check.type->name));
        case model::TypeVerdict::ok:
            break;
    }
    ExaminedFile out;
    out.sha256 = sha256_hex(upload.bytes);
    out.key = blob::key_for_digest(out.sha256);
    out.type = check.type;
    out.size = upload.bytes.size();
    return out;
}

boost::json::object computed_fields(const model::Upload& upload, const ExaminedFile& file) {
    return {{upload.key, file.key},
            {upload.type, file.type->name},
            {upload.size, static_cast<std::int64_t>(file.size)}};
}

}  // namespace cc::documents
