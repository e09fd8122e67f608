#include "query-service/documents/content.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <memory>
#include <vector>

#include "model/file_types.hpp"
#include "platform/config/env.hpp"
#include "platform/config/test_hold.hpp"
#include "platform/core/hash.hpp"
#include "platform/http/range.hpp"
#include "platform/observability/logger.hpp"
#include "query-service/aggregate/resources.hpp"

namespace cc::query {
namespace {

// What one read of a blob holds in memory at once.
constexpr std::size_t kChunk = 64 * 1024;

struct Stored {
    std::string key;
    std::string digest;
    const model::FileType* type = nullptr;
    std::string name;
};

// What every log line about a document's blob names.
struct BlobLog {
    std::string key;
    std::string document_id;
    std::string tenant;
    std::string request_id;

    void corrupted(std::string_view when, const std::string& expected, const std::string& actual,
                   std::uint64_t bytes) const {
        obs::error("document blob corrupted: its bytes no longer match their SHA-256",
                   {{"key", key},
                    {"document_id", document_id},
                    {"tenant_id", tenant},
                    {"request_id", request_id},
                    {"when", when},
                    {"expected_sha256", expected},
                    {"actual_sha256", actual},
                    {"bytes", static_cast<std::int64_t>(bytes)}});
    }
    void unreadable(std::string_view what, const Error& error) const {
        obs::error(what, {{"key", key},
                          {"document_id", document_id},
                          {"tenant_id", tenant},
                          {"request_id", request_id},
                          {"error", error.detail}});
    }
};

Error internal(std::string type, std::string detail) {
    return Error::make(ErrorKind::internal, std::move(type), std::move(detail));
}

Result<std::unique_ptr<blob::BlobReader>> open_logged(blob::BlobStore& store, const BlobLog& log,
                                                      std::uint64_t first, std::uint64_t length) {
    auto reader = store.open_range(log.key, first, length);
    if (!reader) {
        log.unreadable("document blob missing", reader.error());
        return internal("blob-missing", "the document's stored file cannot be read");
    }
    return reader;
}

// The first pass, before anything is answered: the whole blob is read and
// hashed against its key, so a corrupt file answers 500, never a 200 that
// carries a wrong byte. It also hashes the bytes of `range` on their own,
// which the second pass must send again.
Result<std::string> verify_whole(blob::BlobReader& reader, const Stored& file, const BlobLog& log,
                                 const http::ByteRange& range) {
    Sha256 whole, part;
    std::vector<char> chunk(kChunk);
    std::uint64_t at = 0;
    for (;;) {
        auto n = reader.read(chunk);
        if (!n) {
            log.unreadable("document blob unreadable", n.error());
            return internal("blob-unreadable", "the document's stored file cannot be read");
        }
        if (*n == 0) break;
        const std::string_view bytes(chunk.data(), *n);
        whole.update(bytes);
        // The part of this chunk inside [range.first, range.last].
        const auto from = std::max(at, range.first);
        const auto to = std::min(at + *n, range.last + 1);
        if (from < to) part.update(bytes.substr(from - at, to - from));
        at += *n;
    }
    if (const auto actual = whole.hex(); actual != file.digest) {
        log.corrupted("checked before answering", file.digest, actual, at);
        return internal("blob-corrupt", "the document's stored file is damaged; it was logged");
    }
    return part.hex();
}

// The second pass, as the answer is written: the bytes are hashed again as
// they go, and the last chunk is held until the hash matches the first
// pass's. Bytes that changed in between (a disk going bad, a file replaced
// by hand) end the connection short of its Content-Length, so the client
// never takes a wrong body for a whole one.
class VerifiedStream final : public http::BodySource {
  public:
    VerifiedStream(std::unique_ptr<blob::BlobReader> reader, std::uint64_t size,
                   std::string expected, BlobLog log)
        : reader_(std::move(reader)),
          size_(size),
          left_(size),
          expected_(std::move(expected)),
          log_(std::move(log)) {}

    std::uint64_t size() const override { return size_; }

    Result<std::size_t> read(std::span<char> out) override {
        // Filled as far as it can be, so the end is known by its count.
        const auto wanted = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), left_));
        std::size_t got = 0;
        while (got < wanted) {
            auto n = reader_->read(out.subspan(got, wanted - got));
            if (!n) {
                log_.unreadable("document blob unreadable while it was sent", n.error());
                return internal("blob-unreadable", n.error().detail);
            }
            if (*n == 0) break;
            got += *n;
        }
        hash_.update({out.data(), got});
        left_ -= got;
        if (got < wanted || left_ == 0) {
            if (const auto actual = hash_.hex(); got < wanted || actual != expected_) {
                log_.corrupted("changed while it was sent", expected_, actual, size_ - left_);
                return internal("blob-corrupt", "the stored file changed while it was sent");
            }
        }
        return got;
    }

  private:
    std::unique_ptr<blob::BlobReader> reader_;
    std::uint64_t size_;
    std::uint64_t left_;
    std::string expected_;
    BlobLog log_;
    Sha256 hash_;
};

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
                       const ContentConfig& settings, const model::Aggregate& a, http::Request& r) {
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
    const BlobLog log{file->key, *id, *tenant, r.request_id};
    auto whole = open_logged(store, log, 0, blob::BlobStore::kToTheEnd);
    if (!whole) return http::Response::problem(whole.error(), r);
    const auto size = (*whole)->size();
    // A Range that no longer matches the version the client holds is ignored.
    const auto if_range = r.header("if-range");
    const auto range = r.header("range") && (!if_range || *if_range == etag)
                           ? http::parse_range(*r.header("range"), size)
                           : http::RangeRequest{};
    const bool partial = range.kind == http::RangeKind::satisfiable;
    // The bytes to send: a range, or all of them (none of an empty file).
    const http::ByteRange sent = partial     ? range.range
                                 : size == 0 ? http::ByteRange{1, 0}
                                             : http::ByteRange{0, size - 1};
    auto expected = verify_whole(**whole, *file, log, sent);
    if (!expected) return http::Response::problem(expected.error(), r);
    whole->reset();
    if (range.kind == http::RangeKind::unsatisfiable) {
        auto refused = http::Response::problem(
            Error::make(ErrorKind::malformed, "range-not-satisfiable",
                        "the range is outside the file's " + std::to_string(size) + " bytes"),
            r, 416);
        refused.with_header("Content-Range", "bytes */" + std::to_string(size));
        return refused;
    }
    config::hold_at(settings.checked_fifo, file->key);
    const auto length = sent.last + 1 - sent.first;
    auto reader = open_logged(store, log, sent.first, length);
    if (!reader) return http::Response::problem(reader.error(), r);
    auto response = http::Response::stream(
        partial ? 206 : 200,
        std::make_shared<VerifiedStream>(std::move(*reader), length, std::move(*expected), log));
    response.headers = {
        {"ETag", etag},
        {"Accept-Ranges", "bytes"},
        {"Cache-Control", "private, no-cache"},
        {"X-Content-Type-Options", "nosniff"},
        {"Content-Type", std::string(file->type->mime)},
        {"Content-Disposition",
         "attachment; filename=\"" + model::safe_filename(file->name, *file->type) + "\""},
    };
    if (partial) {
        response.headers.emplace_back("Content-Range", http::content_range(range.range, size));
    }
    return response;
}

}  // namespace

ContentConfig ContentConfig::from_env() {
    return {config::env_or("CC_TEST_BLOB_CHECKED_FIFO", "")};
}

void add_content_routes(http::Router& router, ReadApi& api, Access& access, blob::BlobStore& store,
                        const ContentConfig& settings) {
    for (const auto* a : model::aggregates()) {
        if (a->upload == nullptr) continue;
        const std::string path = "/v1/tenants/{tenant_id}/" + std::string(a->collection) + "/{" +
                                 std::string(a->id_param) + "}/content";
        router.add("GET", path, [&api, &access, &store, &settings, a](http::Request& r) {
            return content(api, access, store, settings, *a, r);
        });
    }
}

}  // namespace cc::query
