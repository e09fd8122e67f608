#pragma once
// GET /v1/tenants/{tenant_id}/<collection>/{id}/content for every aggregate
// created by uploading a file: the stored bytes, checked against the SHA-256
// their key names.
#include "platform/blob/blob_store.hpp"
#include "platform/http/router.hpp"
#include "query-service/access.hpp"
#include "query-service/read_api.hpp"

namespace cc::query {

void add_content_routes(http::Router& router, ReadApi& api, Access& access, blob::BlobStore& store);

}  // namespace cc::query
