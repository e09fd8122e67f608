#include "query-service/documents/content.hpp"

#include <boost/json/parse.hpp>

#include <array>

#include "model/file_types.hpp"
#include "platform/core/hash.hpp"
#include "platform/http/range.hpp"
#include "platform/observability/logger.hpp"
#include "query-service/aggregate/resources.hpp"

namespace cc::query {
namespace {

struct Stored {
    std::string key;
    std::string digest;
    const model::FileType* type = nullptr;
    std::string name;
};

Error internal(std::string type, std::string detail) {
    return Error::make(ErrorKind::internal, std::move(type), std::move(detail));
}

// The whole blob, hashed as it is read: a full read is always checked, and
// a range is cut from checked bytes, so no answer carries a corrupt byte.
Result<std::string> read_verified(blob::BlobStore& store, const Stored& file,
                                  const std::string& document_id, const std::string& tenant) {
    auto reader = store.open(file.key);
    if (!reader) {
        obs::error("document blob missing", {{"key", file.key},
                                             {"document_id", document_id},
                                             {"tenant_id", tenant},
                                             {"error", reader.error().detail}});
        return internal("blob-missing", "the document's stored file cannot be read");
    }
    std::string bytes;
    bytes.reserve((*reader)->size());
    Sha256 hash;
    std::array<char, 64 * 1024> chunk{};
    for (;;) {
        auto n = (*reader)->read(chunk);
        if (!n) {
            obs::error(
                "document blob unreadable",
                {{"key", file.key}, {"document_id", document_id}, {"error", n.error().detail}});
            return internal("blob-unreadable", "the document's stored file cannot be read");
        }
        if (*n == 0) break;
        hash.update({chunk.data(), *n});
        bytes.append(chunk.data(), *n);
    }
    if (const auto actual = hash.hex(); actual != file.digest) {
        obs::error("document blob corrupted: its bytes no longer match their SHA-256",
                   {{"key", file.key},
                    {"document_id", document_id},
                    {"tenant_id", tenant},
                    {"expected_sha256", file.digest},
                    {"actual_sha256", actual},
                    {"bytes", static_cast<std::int64_t>(bytes.size())}});
        return internal("blob-corrupt", "the document's stored file is damaged; it was logged");
    }
    return bytes;
}

Result<Stored> stored_file(const model::Aggregate& a, const std::string& row) {
    boost::system::error_code ec;
    const auto parsed = boost::json::parse(row, ec);
    if (ec || !parsed.is_object()) return internal("internal-error", "unreadable row");
    const auto& object = parsed.as_object();
    const auto text = [&](std::string_view name) {
        const auto* value = object.if_contains(name);
        return value && value->is_string() ? std::string(value->as_string()) : std::string();
    };
    Stored out{text(a.upload->key), "", model::file_type_named(text(a.upload->type)), text("name")};
    const auto digest = blob::digest_of(out.key);
    if (!digest || out.type == nullptr) {
        return internal("internal-error", "the document's file record is not valid");
    }
    out.digest = *digest;
    return out;
}

http::Response content(ReadApi& api, Access& access, blob::BlobStore& store,
                       const model::Aggregate& a, http::Request& r) {
    auto tenant = uuid_param(r, "tenant_id");
    if (!tenant) return http::Response::problem(tenant.error(), r);
    auto id = uuid_param(r, std::string(a.id_param));
    if (!id) return http::Response::problem(id.error(), r);
    if (auto allowed = access.tenant(r.caller, *tenant, a.permissions.read, a.feature); !allowed) {
        return http::Response::problem(allowed.error(), r);
    }
    auto row = api.fetch(resource_of(a), *tenant, *id);
    if (!row) return http::Response::problem(row.error(), r);
    if (!*row) {
        return http::Response::problem(
            Error::make(ErrorKind::not_found, "not-found", model::spoken(a.name) + " not found"),
            r);
    }
    auto file = stored_file(a, **row);
    if (!file) return http::Response::problem(file.error(), r);
    // The content never changes under a key: its hash is a strong validator.
    const std::string etag = "\"" + file->digest + "\"";
    if (auto none_match = r.header("if-none-match"); none_match && *none_match == etag) {
        return http::Response::empty(304).with_header("ETag", etag);
    }
    auto bytes = read_verified(store, *file, *id, *tenant);
    if (!bytes) return http::Response::problem(bytes.error(), r);
    const auto size = static_cast<std::uint64_t>(bytes->size());
    http::Response response;
    response.headers = {
        {"ETag", etag},
        {"Accept-Ranges", "bytes"},
        {"Cache-Control", "private, no-cache"},
        {"X-Content-Type-Options", "nosniff"},
    };
    // A Range that no longer matches the version the client holds is ignored.
    const auto if_range = r.header("if-range");
    const auto range = r.header("range") && (!if_range || *if_range == etag)
                           ? http::parse_range(*r.header("range"), size)
                           : http::RangeRequest{};
    if (range.kind == http::RangeKind::unsatisfiable) {
        auto refused = http::Response::problem(
            Error::make(ErrorKind::malformed, "range-not-satisfiable",
                        "the range is outside the file's " + std::to_string(size) + " bytes"),
            r, 416);
        refused.with_header("Content-Range", "bytes */" + std::to_string(size));
        return refused;
    }
    response.headers.emplace_back("Content-Type", std::string(file->type->mime));
    response.headers.emplace_back(
        "Content-Disposition",
        "attachment; filename=\"" + model::safe_filename(file->name, *file->type) + "\"");
    if (range.kind == http::RangeKind::satisfiable) {
        response.status = 206;
        response.headers.emplace_back("Content-Range", http::content_range(range.range, size));
        response.body = bytes->substr(range.range.first, range.range.length());
        return response;
    }
    response.body = std::move(*bytes);
    return response;
}

}  // namespace

void add_content_routes(http::Router& router, ReadApi& api, Access& access,
                        blob::BlobStore& store) {
    for (const auto* a : model::aggregates()) {
        if (a->upload == nullptr) continue;
        const std::string path = "/v1/tenants/{tenant_id}/" + std::string(a->collection) + "/{" +
                                 std::string(a->id_param) + "}/content";
        router.add("GET", path, [&api, &access, &store, a](http::Request& r) {
            return content(api, access, store, *a, r);
        });
    }
}

}  // namespace cc::query
