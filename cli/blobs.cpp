#include "cli/blobs.hpp"

#include <algorithm>
#include <set>

#include "events/envelope.hpp"
#include "model/description.hpp"
#include "platform/blob/gc.hpp"

namespace cc::cli {
namespace {

// The created event of an aggregate made from a file, and the field that
// holds its blob key. Keys never change after creation (the field is
// immutable), so created events name every blob any document ever had.
const model::Aggregate* uploaded_by_event(std::string_view event_type) {
    for (const auto* a : model::aggregates()) {
        if (a->upload != nullptr && a->created == event_type) return a;
    }
    return nullptr;
}

std::string_view header_of(const eventlog::LogRecord& record, std::string_view name) {
    for (const auto& header : record.headers)
        if (header.key == name) return header.value;
    return {};
}

}  // namespace

Result<GcReport> collect_garbage(blob::BlobStore& store, eventlog::LogReader& log,
                                 const GcOptions& options) {
    const auto now = std::chrono::system_clock::now();
    auto stored = store.list();
    if (!stored) return std::move(stored).error();
    std::set<std::string> referenced;
    auto read = eventlog::read_to_end(log, [&](const eventlog::LogRecord& record) -> Status {
        // The type travels as a header: most records need no parsing.
        const auto type = header_of(record, events::kHeaderEventType);
        if (!type.empty() && uploaded_by_event(type) == nullptr) return {};
        auto envelope = events::parse_envelope(record.value);
        if (!envelope) {
            // A blob must never go because an event could not be read.
            return Error::make(ErrorKind::internal, "log-unreadable",
                               "an event at " + std::to_string(record.partition) + ":" +
                                   std::to_string(record.offset) +
                                   " cannot be read: " + envelope.error().detail);
        }
        const auto* a = uploaded_by_event(envelope->event_type);
        if (a == nullptr) return {};
        if (const auto* key = envelope->payload.if_contains(a->upload->key);
            key != nullptr && key->is_string()) {
            referenced.emplace(key->as_string());
        }
        return {};
    });
    if (!read) return std::move(read).error();

    GcReport report;
    report.stored = stored->size();
    report.referenced = referenced.size();
    const auto doomed = blob::garbage(*stored, referenced, now, options.min_age);
    const auto unreferenced = static_cast<std::size_t>(
        std::count_if(stored->begin(), stored->end(),
                      [&](const blob::BlobInfo& b) { return !referenced.contains(b.key); }));
    report.young = unreferenced - doomed.size();
    for (const auto& blob : doomed) {
        if (!options.dry_run) {
            if (auto removed = store.remove(blob.key); !removed) return std::move(removed).error();
        }
        report.removed.push_back(blob);
    }
    std::set<std::string> present;
    for (const auto& blob : *stored) present.insert(blob.key);
    for (const auto& key : referenced) {
        if (!present.contains(key)) report.missing.push_back(key);
    }
    return report;
}

}  // namespace cc::cli
