#include "command-service/documents/upload_route.hpp"

#include "command-service/aggregate/routes.hpp"
#include "command-service/api.hpp"
#include "command-service/documents/upload.hpp"
#include "platform/config/env.hpp"
#include "platform/config/test_hold.hpp"
#include "platform/core/hash.hpp"
#include "platform/observability/logger.hpp"

namespace cc::command {
namespace {

http::Response upload(CommandBus& bus, blob::BlobStore& store, const UploadConfig& config,
                      const model::Aggregate& a, http::Request& r) {
    auto target = target_of(r, a, false);
    if (!target) return http::Response::problem(target.error(), r);
    auto context = context_of(r);
    const auto content_type = r.header("content-type").value_or("");
    // The metadata may be in the query: a retry must match all of it.
    if (context.request.idempotency_key) {
        context.request.request_hash =
            sha256_hex(r.method + " " + r.target + "\n" + content_type + "\n" + r.body);
    }
    aggregate::Create command{*target, {}, {}};
    // A caller who may not upload here learns nothing about their file.
    if (auto allowed = bus.authorized(command, context); !allowed) {
        return http::Response::problem(allowed.error(), r);
    }
    auto request = documents::read_upload(content_type, r.body, r.query);
    if (!request) return http::Response::problem(request.error(), r);
    auto file = documents::examine(*request, config.max_bytes);
    if (!file) return http::Response::problem(file.error(), r);
    command.body = std::move(request->metadata);
    command.computed = documents::computed_fields(*a.upload, *file);
    // Refused commands store nothing; a retried key is answered as before.
    auto checked = bus.check(command, context);
    if (!checked) return http::Response::problem(checked.error(), r);
    if (*checked) return answer(std::move(**checked), r, 201);
    if (auto stored = store.put(file->key, request->bytes); !stored) {
        obs::error(
            "cannot store a blob",
            {{"key", file->key}, {"error", stored.error().detail}, {"request_id", r.request_id}});
        // The store's own detail names server paths: it stays in the log.
        const bool full = stored.error().type == "blob-store-full";
        return http::Response::problem(
            Error::make(ErrorKind::unavailable, stored.error().type,
                        full ? "no space is left to store the file; nothing was recorded"
                             : "the file could not be stored; nothing was recorded"),
            r);
    }
    // A blob whose append never happens (a crash, a refusal after a
    // concurrent change) is an orphan that `complexcare blobs gc` removes.
    obs::info("blob stored", {{"key", file->key},
                              {"bytes", static_cast<std::int64_t>(file->size)},
                              {"request_id", r.request_id}});
    // The test hook: says which blob was written, then waits for the kill.
    config::hold_at(config.written_fifo, file->key);
    return answer(bus.execute(command, context), r, 201);
}

// "/v1/tenants/<id>/<collection>" of an uploaded aggregate, query ignored.
const model::Aggregate* upload_target(std::string_view target) {
    const auto path = target.substr(0, target.find('?'));
    constexpr std::string_view kPrefix = "/v1/tenants/";
    if (path.substr(0, kPrefix.size()) != kPrefix) return nullptr;
    const auto rest = path.substr(kPrefix.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) return nullptr;
    const auto collection = rest.substr(slash + 1);
    for (const auto* a : model::aggregates()) {
        if (a->upload != nullptr && a->scope == model::Scope::tenant && a->collection == collection)
            return a;
    }
    return nullptr;
}

}  // namespace

UploadConfig UploadConfig::from_env() {
    const auto max = config::env_or("CC_DOCUMENT_MAX_BYTES", "");
    std::size_t bytes = documents::kDefaultMaxBytes;
    if (!max.empty()) {
        std::size_t used = 0;
        bytes = std::stoull(max, &used);
        if (used != max.size() || bytes == 0) {
            throw std::invalid_argument("CC_DOCUMENT_MAX_BYTES must be a positive number of bytes");
        }
    }
    return {bytes, config::env_or("CC_TEST_BLOB_WRITTEN_FIFO", "")};
}

void add_upload_routes(http::Router& router, CommandBus& bus, blob::BlobStore& store,
                       const UploadConfig& config) {
    for (const auto* a : model::aggregates()) {
        if (a->upload == nullptr) continue;
        router.add("POST", collection_path(*a), [&bus, &store, &config, a](http::Request& r) {
            return upload(bus, store, config, *a, r);
        });
    }
}

std::size_t body_limit_for(std::string_view method, std::string_view target,
                           const UploadConfig& config, std::size_t default_limit) {
    if (method != "POST" || upload_target(target) == nullptr) return default_limit;
    // A raw file one byte over the limit is still read, to answer it 413
    // with the limit named; a body far over it is refused by the server.
    return std::max(default_limit, config.max_bytes + documents::kMultipartOverhead);
}

}  // namespace cc::command
