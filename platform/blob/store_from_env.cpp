#include "platform/blob/store_from_env.hpp"

#include <stdexcept>

#include "platform/blob/directory_store.hpp"
#include "platform/blob/s3_store.hpp"
#include "platform/config/env.hpp"

namespace cc::blob {

ConfiguredStore blob_store_from_env() {
    const auto backend = config::env_or("CC_BLOB_BACKEND", "directory");
    if (backend == "directory") {
        const auto root = blob_dir_from_env();
        return {std::make_unique<DirectoryStore>(root), "directory " + root.string()};
    }
    if (backend == "s3") {
        auto s3 = S3Config::from_env();
        std::string description = "s3 " + s3.endpoint + "/" + s3.bucket + " (" + s3.region + ")";
        return {std::make_unique<S3Store>(std::move(s3)), std::move(description)};
    }
    throw std::invalid_argument("CC_BLOB_BACKEND must be directory or s3, not " + backend);
}

}  // namespace cc::blob
