#include "platform/blob/gc.hpp"

namespace cc::blob {

std::vector<BlobInfo> garbage(const std::vector<BlobInfo>& stored,
                              const std::set<std::string>& referenced,
                              std::chrono::system_clock::time_point now,
                              std::chrono::seconds min_age) {
    std::vector<BlobInfo> out;
    for (const auto& blob : stored) {
        if (referenced.contains(blob.key)) continue;
        // A young blob may belong to an upload whose append is under way.
        if (now - blob.written < min_age) continue;
        out.push_back(blob);
    }
    return out;
}

}  // namespace cc::blob
