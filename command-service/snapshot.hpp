#pragma once
// A snapshot of the write model at a log position (the next offset of every
// partition), so that start-up folds only the log's tail. Versioned: the
// header names the format and a hash of the layout the descriptions give the
// state (kept fields, unique keys, states, events), and ends with a checksum
// of everything before it; a snapshot of another format, layout or log, or a
// damaged one, is refused and the whole log folded instead.
//
//   "CCWMSNAP" | u32 format | u64 layout hash | u64 log identity |
//   u32 partitions | i64 next offset per partition | u64 hash of the last
//   record folded per partition | stores, idempotency
//   index, registrations | u64 checksum
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "command-service/write_model.hpp"
#include "platform/core/result.hpp"
#include "platform/eventlog/event_log.hpp"

namespace cc::command::snapshot {

// Raised whenever the encoding changes (or the store's fingerprint hash).
inline constexpr std::uint32_t kFormatVersion = 1;

// A hash of what the descriptions make of the write model's state.
std::uint64_t layout_hash();
// Names the log a snapshot was folded from (backend and where it lives), so
// a snapshot is never laid over another log.
std::uint64_t log_identity(std::string_view description);

// `last_records`: per partition, record_hash() of the record before the
// next offset (the last one folded), which start-up reads back from the log
// to know the snapshot is of this log (verify()).
std::string encode(const WriteModel& model, std::span<const std::int64_t> next_offsets,
                   std::uint64_t log, std::span<const std::uint64_t> last_records = {});
// Never 0, which marks "not known".
std::uint64_t record_hash(std::string_view value);

struct Loaded {
    std::unique_ptr<WriteModel> model;
    std::vector<std::int64_t> next_offsets;   // per partition
    std::vector<std::uint64_t> last_records;  // per partition
};
// Refuses (an error saying why) bytes that are not a whole snapshot of this
// format and layout, of `log`.
Result<Loaded> decode(std::string_view bytes, std::uint64_t log);

// Where and how often snapshots are written.
struct Config {
    std::string dir;         // empty: no snapshots are read or written
    std::int64_t every = 0;  // events folded or appended between two; 0: only at shutdown
    std::uint64_t log = 0;   // log_identity() of the log
    // CC_SNAPSHOT_DIR (default .data/snapshots; "off" for none) and
    // CC_SNAPSHOT_EVERY (default 250000).
    static Config from_env(std::string_view log_description);
    bool enabled() const { return !dir.empty(); }
};

// Writes `bytes` as the newest snapshot of `dir`, atomically: a temporary
// file, fsync, rename, fsync of the directory; a crash at any point leaves
// the snapshots there before it usable. Keeps the two newest. `after_part`
// (tests) runs once part of the temporary file is written.
Status write(const std::string& dir, std::span<const std::int64_t> next_offsets,
             std::string_view bytes, const std::function<void()>& after_part = {});

// The newest snapshot of `dir` that decodes, of this log and within its
// ends (a snapshot beyond them is of a log since replaced); each one passed
// over is logged with the reason. nullopt when none is usable.
std::optional<Loaded> load_newest(const Config& config, std::span<const std::int64_t> log_ends);

// Whether the log holds, before each partition's next offset, the record the
// snapshot was folded up to: a log restored or made anew at the same address
// does not. `reader` starts each partition one before the snapshot's next
// offset. Reads at most to the log's ends.
Status verify(const Loaded& snapshot, eventlog::LogReader& reader);

}  // namespace cc::command::snapshot
