#pragma once
// GET /v1/tenants/{tenant_id}/<collection>/{id}/content for every aggregate
// created by uploading a file: the stored bytes, checked against the SHA-256
// their key names.
#include <string>

#include "platform/blob/blob_store.hpp"
#include "platform/http/router.hpp"
#include "query-service/access.hpp"
#include "query-service/read_api.hpp"

namespace cc::query {

struct ContentConfig {
    // Test-only (CC_TEST_BLOB_CHECKED_FIFO): once a download's first pass has
    // checked the blob and before the second reads it again, write the key
    // to this FIFO and wait for the test, which changes the bytes there.
    std::string checked_fifo;

    static ContentConfig from_env();
};

void add_content_routes(http::Router& router, ReadApi& api, Access& access, blob::BlobStore& store,
                        const ContentConfig& config);

}  // namespace cc::query
