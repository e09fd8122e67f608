#pragma once
// Which stored blobs are garbage: those that no document in the log's
// whole history names (deleted ones included), and that are old enough
// that no upload can still be between writing its blob and appending its
// event. Pure: the listing and the references come from the caller.
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "platform/blob/blob_store.hpp"

namespace cc::blob {

std::vector<BlobInfo> garbage(const std::vector<BlobInfo>& stored,
                              const std::set<std::string>& referenced,
                              std::chrono::system_clock::time_point now,
                              std::chrono::seconds min_age);

}  // namespace cc::blob
