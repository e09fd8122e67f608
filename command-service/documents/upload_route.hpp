#pragma once
// POST /v1/tenants/{tenant_id}/<collection> of every aggregate created by
// uploading a file (documents): the bytes go to the blob store, durably,
// before the event that names them is appended.
#include <cstddef>
#include <string>

#include "command-service/command_bus.hpp"
#include "platform/blob/blob_store.hpp"
#include "platform/http/router.hpp"

namespace cc::command {

struct UploadConfig {
    std::size_t max_bytes;  // CC_DOCUMENT_MAX_BYTES
    // Test-only (CC_TEST_BLOB_WRITTEN_FIFO): after a blob is written and
    // before its event is appended, write the key to this FIFO and then
    // block for good, so a test can kill the service exactly there.
    std::string written_fifo;

    static UploadConfig from_env();
};

void add_upload_routes(http::Router& router, CommandBus& bus, blob::BlobStore& store,
                       const UploadConfig& config);

// The most the HTTP server reads of a request's body: enough for a file of
// the largest size (and its multipart framing) on an upload route,
// `default_limit` anywhere else.
std::size_t body_limit_for(std::string_view method, std::string_view target,
                           const UploadConfig& config, std::size_t default_limit);

}  // namespace cc::command
