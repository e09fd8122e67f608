#pragma once
// The blob store a service, or `complexcare blobs gc`, is configured with.
#include <memory>
#include <string>

#include "platform/blob/blob_store.hpp"

namespace cc::blob {

struct ConfiguredStore {
    std::unique_ptr<BlobStore> store;
    std::string description;  // for a start-up log line: where, never a secret
};

// CC_BLOB_BACKEND: `directory` (the default, at CC_BLOB_DIR) or `s3` (the
// bucket CC_S3_* names). Throws std::invalid_argument for another backend
// or a missing setting, so a misconfigured service refuses to start.
ConfiguredStore blob_store_from_env();

}  // namespace cc::blob
