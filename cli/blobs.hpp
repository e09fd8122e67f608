#pragma once
// complexcare blobs gc: removes the blobs no document has ever named.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "platform/blob/blob_store.hpp"
#include "platform/eventlog/event_log.hpp"

namespace cc::cli {

struct GcOptions {
    // Blobs younger than this are kept whatever the log says: an upload
    // writes its blob before it appends, and may be between the two now.
    std::chrono::seconds min_age{3600};
    bool dry_run = false;
};

struct GcReport {
    std::size_t stored = 0;      // files in the store, leftover temporaries included
    std::size_t referenced = 0;  // distinct keys the log's documents name
    std::size_t young = 0;       // unreferenced but kept for min_age
    std::vector<blob::BlobInfo> removed;
    std::vector<std::string> missing;  // named by a document, absent from the store
};

// Lists the store first, then reads the whole log: a blob written after the
// listing is not considered, and one listed whose event is appended after
// the read is protected by min_age.
Result<GcReport> collect_garbage(blob::BlobStore& store, eventlog::LogReader& log,
                                 const GcOptions& options);

}  // namespace cc::cli
