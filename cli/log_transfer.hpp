#pragma once
// complexcare log export | import: a whole event log in a portable file, to
// back a log up or to move it between adapters (PostgreSQL to Kafka and back).
//
// The file is NDJSON, one or more sections: the domain log's, then (unless
// left out) the access stream's, whose facts are the audit trail of reads
// and refusals and exist nowhere else. Each section's first line describes it:
//   {"format":"complexcare-log","version":2,"stream":"domain","topic":"event_log",
//    "backend":"postgres","partitions":8,"records":1234,"partition_records":[...],
//    "exported_at":"..."}
// padded with spaces (the export writes it last, in place). Every other line
// is one record of the section above it, each partition's records in offset
// order:
//   {"partition":3,"offset":17,"key":"<tenant id>","headers":[{"key":..,"value":..}],
//    "value":<the record's value, byte for byte>}
// A value that is not single-line JSON text is written as a string instead,
// under "value_text", so that any value survives. A version 1 file (no
// "stream") is one domain section.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "platform/core/result.hpp"
#include "platform/eventlog/event_log.hpp"

namespace cc::cli {

inline constexpr std::string_view kLogFileFormat = "complexcare-log";
inline constexpr int kLogFileVersion = 2;
// A section's stream: the domain log, or the access stream beside it.
inline constexpr std::string_view kDomainStream = "domain";
inline constexpr std::string_view kAccessStream = "access";

struct LogFileHeader {
    int version = kLogFileVersion;
    std::string stream = std::string(kDomainStream);
    std::string topic;
    std::string backend;
    int partitions = 0;
    std::int64_t records = 0;
    std::vector<std::int64_t> partition_records;  // records per partition
    std::string exported_at;
};

// One line of the file, without its newline.
std::string encode_header(const LogFileHeader& header);
// A section's header rather than a record (it need not be a valid one).
bool is_header_line(std::string_view line);
Result<LogFileHeader> decode_header(std::string_view line);
std::string encode_record(const eventlog::LogRecord& record);
// Refuses a line that is not exactly what encode_record writes for some
// record: the value is taken from the line by position, so the rest of the
// line must be in the canonical form for that to be the value's bytes.
Result<eventlog::LogRecord> decode_record(std::string_view line);

struct TransferReport {
    std::int64_t records = 0;                            // of every section
    std::map<std::string, std::int64_t> stream_records;  // per section's stream
    std::uint64_t bytes = 0;                             // of the file
    std::chrono::duration<double> elapsed{};
};

// One section of an export: a stream and its standalone reader.
struct ExportSection {
    std::string stream;  // kDomainStream or kAccessStream
    eventlog::LogReader* log;
    std::string topic;  // the stream's name in checkpoints (LogConfig::topic())
};

// Reads each section's log from its start to its end as of the call, every
// partition, and writes them to `path` in order (through `path`.partial,
// renamed once complete and synced, so a file of that name is always whole).
Result<TransferReport> export_log(std::span<const ExportSection> sections,
                                  const std::string& backend, const std::string& path);

enum class OffsetPolicy {
    // Every record lands at its source offset, or the import stops: positions
    // (`p:o` tokens, dead letters) keep their meaning. Needs a source whose
    // offsets are gapless and a target that assigns gapless offsets (the
    // PostgreSQL log, the mock cluster).
    preserve,
    // Records land in order at whatever offsets the target assigns (Kafka
    // puts a transaction marker after each batch; a PostgreSQL target closes
    // the gaps of a Kafka source).
    renumber,
};

struct ImportOptions {
    OffsetPolicy offsets = OffsetPolicy::preserve;
    std::size_t batch = 500;  // records per append (one transaction each)
};

// Where a section of `stream` goes: a writer and a standalone reader of that stream.
struct ImportTarget {
    eventlog::LogWriter* writer;
    eventlog::LogReader* reader;
};

// Checks the whole file first (format, a target for each section's stream,
// partition counts, each key's partition, offset order, record counts) and
// that every target is empty, so a refused import appends nothing; then
// appends each section partition by partition in order through its
// target's writer, checking where every record lands, and reads each
// target back.
Result<TransferReport> import_log(const std::string& path,
                                  const std::map<std::string, ImportTarget>& targets,
                                  const ImportOptions& options);

}  // namespace cc::cli
