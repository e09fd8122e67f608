#pragma once
// The single-machine blob store: a directory (CC_BLOB_DIR) holding each blob
// at its key's path. A blob is written to a temporary file beside its final
// name, fsync'd, renamed into place and its directory fsync'd, so a crash
// leaves either the whole blob or a temporary that `blobs gc` removes.
#include <filesystem>

#include "platform/blob/blob_store.hpp"

namespace cc::blob {

class DirectoryStore final : public BlobStore {
  public:
    explicit DirectoryStore(std::filesystem::path root);

    Status put(std::string_view key, std::string_view bytes) override;
    Result<std::unique_ptr<BlobReader>> open_range(std::string_view key, std::uint64_t first,
                                                   std::uint64_t length) override;
    Result<std::vector<BlobInfo>> list() override;
    Status remove(std::string_view key) override;

    const std::filesystem::path& root() const { return root_; }

  private:
    // The file a key names, or an error for a key that would leave the root.
    Result<std::filesystem::path> path_of(std::string_view key) const;

    std::filesystem::path root_;
};

// CC_BLOB_DIR, default ".data/blobs" (beside scripts/stack's database).
std::filesystem::path blob_dir_from_env();

}  // namespace cc::blob
