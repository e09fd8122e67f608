#include "cli/log_transfer.hpp"

#include <unistd.h>

#include <openssl/evp.h>

#include <simdjson.h>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "platform/core/hash.hpp"
#include "platform/core/time.hpp"

namespace cc::cli {
namespace {

Error refused(std::string type, std::string detail) {
    return Error::make(ErrorKind::invalid, std::move(type), std::move(detail));
}

Error io_error(const std::string& what, const std::string& path) {
    return Error::make(ErrorKind::internal, "io-error",
                       what + " " + path + ": " + std::strerror(errno));
}

std::string json_string(std::string_view text) {
    return boost::json::serialize(boost::json::string_view(text.data(), text.size()));
}

// Everything of a record line up to its value, in the one form the export
// writes: decoding rebuilds it from the parsed fields and finds the value's
// bytes right after it.
std::string record_prefix(const eventlog::LogRecord& record, std::string_view value_member) {
    boost::json::array headers;
    for (const auto& h : record.headers) {
        headers.push_back(boost::json::object{{"key", h.key}, {"value", h.value}});
    }
    std::string line = "{\"partition\":" + std::to_string(record.partition) +
                       ",\"offset\":" + std::to_string(record.offset) +
                       ",\"key\":" + json_string(record.key) +
                       ",\"headers\":" + boost::json::serialize(headers) + ",\"";
    line += value_member;
    line += "\":";
    return line;
}

// Single-line JSON text can be embedded as it is; JSON allows a line break
// only as whitespace between tokens, so one is refused rather than searched
// for inside strings.
bool embeddable(std::string_view value) {
    if (value.find('\n') != std::string_view::npos || value.find('\r') != std::string_view::npos)
        return false;
    boost::json::monotonic_resource scratch;
    boost::system::error_code ec;
    boost::json::parse(boost::json::string_view(value.data(), value.size()), ec, &scratch);
    return !ec;
}

bool utf8(std::string_view text) {
    return simdjson::validate_utf8(text.data(), text.size());
}

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<std::string> from_base64(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::string out(3 * (text.size() / 4), '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;
    // EVP_DecodeBlock counts the padding as zero bytes.
    std::size_t size = static_cast<std::size_t>(n);
    for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) --size;
    out.resize(size);
    return out;
}

using File = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

Status write_all(std::FILE* file, std::string_view data, const std::string& path) {
    if (std::fwrite(data.data(), 1, data.size(), file) != data.size())
        return io_error("cannot write", path);
    return {};
}

// A digest per partition of what was written to it, in order: the import's
// read-back compares the target with what it appended without holding either.
class PartitionDigests {
  public:
    explicit PartitionDigests(int partitions) {
        for (int p = 0; p < partitions; ++p) digests_.push_back(std::make_unique<Sha256>());
    }
    void add(const eventlog::LogRecord& record, bool with_offset) {
        auto& digest = *digests_[static_cast<std::size_t>(record.partition)];
        // Each field behind its length, so that no two records hash alike.
        const auto field = [&](std::string_view bytes) {
            digest.update(std::to_string(bytes.size()) + ":");
            digest.update(bytes);
        };
        field(with_offset ? std::to_string(record.offset) : "");
        field(record.key);
        field(std::to_string(record.headers.size()));
        for (const auto& h : record.headers) {
            field(h.key);
            field(h.value);
        }
        field(record.value);
    }
    std::vector<std::string> finish() {
        std::vector<std::string> out;
        for (auto& d : digests_) out.push_back(d->hex());
        return out;
    }

  private:
    std::vector<std::unique_ptr<Sha256>> digests_;
};

// The file's lines in order, each decoded: a section's header, or a record
// of the section above it (the first line must be a header). Either
// callback may stop the walk.
Status for_each_line(std::istream& in, const std::string& path,
                     const std::function<Status(LogFileHeader&&, std::size_t line)>& header,
                     const std::function<Status(eventlog::LogRecord&&, std::size_t line)>& record) {
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        const auto at = path + ", line " + std::to_string(number) + ": ";
        if (number == 1 || is_header_line(line)) {
            auto decoded = decode_header(line);
            if (!decoded) {
                auto error = std::move(decoded).error();
                if (number > 1) error.detail = at + error.detail;
                return error;
            }
            if (auto status = header(std::move(*decoded), number); !status) return status;
            continue;
        }
        auto decoded = decode_record(line);
        if (!decoded) return refused("bad-log-file", at + decoded.error().detail);
        if (auto status = record(std::move(*decoded), number); !status) return status;
    }
    if (in.bad()) return io_error("cannot read", path);
    return {};
}

}  // namespace

std::string encode_header(const LogFileHeader& header) {
    boost::json::array counts;
    for (const auto c : header.partition_records) counts.push_back(c);
    return boost::json::serialize(boost::json::object{
        {"format", kLogFileFormat},
        {"version", header.version},
        {"stream", header.stream},
        {"topic", header.topic},
        {"backend", header.backend},
        {"partitions", header.partitions},
        {"records", header.records},
        {"partition_records", counts},
        {"exported_at", header.exported_at},
    });
}

Result<LogFileHeader> decode_header(std::string_view line) {
    boost::system::error_code ec;
    const auto parsed = boost::json::parse(boost::json::string_view(line.data(), line.size()), ec);
    const auto* object = !ec ? parsed.if_object() : nullptr;
    const auto* format = object ? object->if_contains("format") : nullptr;
    if (format == nullptr || !format->is_string() || format->as_string() != kLogFileFormat) {
        return refused("bad-log-file",
                       "not a complexcare log file (its first line must be the "
                       "\"format\":\"complexcare-log\" header)");
    }
    LogFileHeader header;
    try {
        header.version = boost::json::value_to<int>(object->at("version"));
        if (header.version < 1 || header.version > kLogFileVersion) {
            return refused("bad-log-file", "log file version " + std::to_string(header.version) +
                                               " is not one this build reads (1 to " +
                                               std::to_string(kLogFileVersion) + ")");
        }
        // Version 1 files hold the domain log alone.
        if (header.version > 1) {
            header.stream = boost::json::value_to<std::string>(object->at("stream"));
        }
        header.topic = boost::json::value_to<std::string>(object->at("topic"));
        header.backend = boost::json::value_to<std::string>(object->at("backend"));
        header.partitions = boost::json::value_to<int>(object->at("partitions"));
        header.records = boost::json::value_to<std::int64_t>(object->at("records"));
        header.partition_records =
            boost::json::value_to<std::vector<std::int64_t>>(object->at("partition_records"));
        header.exported_at = boost::json::value_to<std::string>(object->at("exported_at"));
    } catch (const std::exception& e) {
        return refused("bad-log-file",
                       std::string("the log file's header is incomplete: ") + e.what());
    }
    if (header.stream != kDomainStream && header.stream != kAccessStream) {
        return refused("bad-log-file", "a section of an unknown stream \"" + header.stream + "\"");
    }
    if (header.partitions < 1 ||
        header.partition_records.size() != static_cast<std::size_t>(header.partitions)) {
        return refused("bad-log-file", "the log file's header has no count for each partition");
    }
    return header;
}

std::string encode_record(const eventlog::LogRecord& record) {
    if (embeddable(record.value)) return record_prefix(record, "value") + record.value + "}";
    if (utf8(record.value))
        return record_prefix(record, "value_text") + json_string(record.value) + "}";
    return record_prefix(record, "value_base64") + json_string(base64(record.value)) + "}";
}

Result<eventlog::LogRecord> decode_record(std::string_view line) {
    boost::system::error_code ec;
    const auto parsed = boost::json::parse(boost::json::string_view(line.data(), line.size()), ec);
    if (ec) return refused("bad-record", "not JSON: " + ec.message());
    const auto* object = parsed.if_object();
    if (object == nullptr) return refused("bad-record", "not a JSON object");
    eventlog::LogRecord record;
    try {
        record.partition = boost::json::value_to<int>(object->at("partition"));
        record.offset = boost::json::value_to<std::int64_t>(object->at("offset"));
        record.key = boost::json::value_to<std::string>(object->at("key"));
        for (const auto& h : object->at("headers").as_array()) {
            record.headers.push_back(
                {boost::json::value_to<std::string>(h.as_object().at("key")),
                 boost::json::value_to<std::string>(h.as_object().at("value"))});
        }
    } catch (const std::exception& e) {
        return refused("bad-record", std::string("a field is missing or mistyped: ") + e.what());
    }
    if (record.partition < 0 || record.offset < 0)
        return refused("bad-record", "a negative partition or offset");
    if (const auto* text = object->if_contains("value_text")) {
        if (!text->is_string()) return refused("bad-record", "value_text is not a string");
        record.value = std::string(text->as_string());
        if (line != record_prefix(record, "value_text") + json_string(record.value) + "}")
            return refused("bad-record", "not in the form the export writes");
        return record;
    }
    if (const auto* encoded = object->if_contains("value_base64")) {
        const auto text = encoded->is_string() ? std::string(encoded->as_string()) : "";
        const auto bytes = from_base64(text);
        if (!encoded->is_string() || !bytes)
            return refused("bad-record", "value_base64 is not base64");
        record.value = *bytes;
        if (line != record_prefix(record, "value_base64") + json_string(text) + "}")
            return refused("bad-record", "not in the form the export writes");
        return record;
    }
    const auto prefix = record_prefix(record, "value");
    if (!object->contains("value") || object->size() != 5 || !line.starts_with(prefix) ||
        !line.ends_with('}') || line.size() < prefix.size() + 1) {
        return refused("bad-record", "not in the form the export writes");
    }
    record.value = std::string(line.substr(prefix.size(), line.size() - prefix.size() - 1));
    // What lies between the prefix and the last brace must be one JSON text
    // of its own, not more members that a duplicate key folded away.
    if (!embeddable(record.value)) return refused("bad-record", "the value is not one JSON text");
    return record;
}

Result<TransferReport> export_log(std::span<const ExportSection> sections,
                                  const std::string& backend, const std::string& path) {
    const auto started = std::chrono::steady_clock::now();
    const auto partial = path + ".partial";
    File file(std::fopen(partial.c_str(), "wb"), &std::fclose);
    if (!file) return io_error("cannot create", partial);
    const auto give_up = [&](Error error) -> Result<TransferReport> {
        file.reset();
        std::error_code ignored;
        std::filesystem::remove(partial, ignored);
        return error;
    };

    TransferReport report;
    // Each section's header, written over the room left for it at the end.
    struct Placed {
        std::uint64_t at;
        std::size_t reserved;
        LogFileHeader header;
    };
    std::vector<Placed> placed;
    std::string line;
    for (const auto& section : sections) {
        const int partitions = section.log->partition_count();
        LogFileHeader header{
            .stream = section.stream,
            .topic = section.topic,
            .backend = backend,
            .partitions = partitions,
            .records = std::numeric_limits<std::int64_t>::max(),
            .partition_records = std::vector<std::int64_t>(
                static_cast<std::size_t>(partitions), std::numeric_limits<std::int64_t>::max()),
            .exported_at = Timestamp::now().to_string()};
        // The counts are known only at the end: room for the widest header now.
        const auto reserved = encode_header(header).size();
        header.records = 0;
        header.partition_records.assign(static_cast<std::size_t>(partitions), 0);
        if (auto w = write_all(file.get(), std::string(reserved, ' ') + "\n", partial); !w)
            return give_up(std::move(w).error());
        placed.push_back({report.bytes, reserved, header});
        report.bytes += reserved + 1;
        auto& counted = placed.back().header;
        auto read =
            eventlog::read_to_end(*section.log, [&](const eventlog::LogRecord& record) -> Status {
                if (record.partition < 0 || record.partition >= partitions)
                    return Error::make(ErrorKind::internal, "bad-partition",
                                       "a record of no partition");
                bool text = utf8(record.key);
                for (const auto& h : record.headers) text = text && utf8(h.key) && utf8(h.value);
                if (!text) {
                    // Keys are ids and headers event metadata: anything else
                    // is not this system's log.
                    return Error::make(ErrorKind::internal, "not-text",
                                       "the key or a header of the record at " +
                                           std::to_string(record.partition) + ":" +
                                           std::to_string(record.offset) + " is not UTF-8 text");
                }
                line = encode_record(record);
                line += '\n';
                if (auto w = write_all(file.get(), line, partial); !w) return w;
                ++counted.records;
                ++counted.partition_records[static_cast<std::size_t>(record.partition)];
                report.bytes += line.size();
                return {};
            });
        if (!read) return give_up(std::move(read).error());
        report.records += counted.records;
        report.stream_records[section.stream] += counted.records;
    }

    for (const auto& [at, reserved, header] : placed) {
        auto text = encode_header(header);
        text.resize(reserved, ' ');
        if (std::fseek(file.get(), static_cast<long>(at), SEEK_SET) != 0)
            return give_up(io_error("cannot seek", partial));
        if (auto w = write_all(file.get(), text, partial); !w) return give_up(std::move(w).error());
    }
    // Durable before it takes the name a restore will look for.
    if (std::fflush(file.get()) != 0 || ::fsync(::fileno(file.get())) != 0)
        return give_up(io_error("cannot sync", partial));
    if (std::fclose(file.release()) != 0) return give_up(io_error("cannot close", partial));
    if (std::rename(partial.c_str(), path.c_str()) != 0)
        return give_up(io_error("cannot rename to", path));
    report.elapsed = std::chrono::steady_clock::now() - started;
    return report;
}

Result<TransferReport> import_log(const std::string& path,
                                  const std::map<std::string, ImportTarget>& targets,
                                  const ImportOptions& options) {
    const auto started = std::chrono::steady_clock::now();
    const bool preserve = options.offsets == OffsetPolicy::preserve;
    std::ifstream in(path, std::ios::binary);
    if (!in) return io_error("cannot open", path);

    // First the whole file, so that a refused import appends nothing.
    struct Section {
        LogFileHeader header;
        const ImportTarget* target;
        std::vector<std::int64_t> counts;
        std::vector<std::int64_t> last;
    };
    std::vector<Section> sections;
    const auto counted = [&]() -> Status {
        if (!sections.empty() &&
            sections.back().counts != sections.back().header.partition_records) {
            return refused("bad-log-file",
                           "the file holds fewer or more records than its header counts (a "
                           "truncated or edited file)");
        }
        return {};
    };
    auto checked = for_each_line(
        in, path,
        [&](LogFileHeader&& header, std::size_t) -> Status {
            if (auto status = counted(); !status) return status;
            for (const auto& section : sections) {
                if (section.header.stream == header.stream)
                    return refused("bad-log-file",
                                   "two sections of the " + header.stream + " stream");
            }
            const auto target = targets.find(header.stream);
            if (target == targets.end()) {
                return refused("no-target", "the file holds the " + header.stream +
                                                " stream, which has no log to go to");
            }
            const int partitions = header.partitions;
            if (partitions != target->second.writer->partition_count() ||
                partitions != target->second.reader->partition_count()) {
                return refused(
                    "partition-count-mismatch",
                    "the file holds a " + header.stream + " stream of " +
                        std::to_string(partitions) + " partitions but the target has " +
                        std::to_string(target->second.writer->partition_count()) +
                        "; a record's partition is its key's hash modulo the count, so the "
                        "counts must be equal");
            }
            const auto size = static_cast<std::size_t>(partitions);
            sections.push_back({std::move(header), &target->second,
                                std::vector<std::int64_t>(size, 0),
                                std::vector<std::int64_t>(size, -1)});
            return {};
        },
        [&](eventlog::LogRecord&& r, std::size_t line) -> Status {
            auto& section = sections.back();
            const int partitions = section.header.partitions;
            const auto at = path + ", line " + std::to_string(line) + ": ";
            if (r.partition >= partitions)
                return refused("bad-log-file", at + "partition out of range");
            const auto p = static_cast<std::size_t>(r.partition);
            if (const int home = eventlog::partition_for(r.key, partitions); home != r.partition) {
                return refused("misplaced-record", at + "the key of a record in partition " +
                                                       std::to_string(r.partition) +
                                                       " hashes to partition " +
                                                       std::to_string(home));
            }
            if (r.offset <= section.last[p])
                return refused("bad-log-file", at + "offsets out of order");
            if (preserve && r.offset != section.counts[p]) {
                return refused("offset-gap",
                               at + "partition " + std::to_string(r.partition) +
                                   " has a gap before offset " + std::to_string(r.offset) +
                                   " (a Kafka log: transaction markers take offsets), so its "
                                   "offsets cannot be kept; import with --offsets renumber");
            }
            section.last[p] = r.offset;
            ++section.counts[p];
            return {};
        });
    if (!checked) return std::move(checked).error();
    if (auto status = counted(); !status) return std::move(status).error();
    if (sections.empty())
        return refused("bad-log-file", "an empty file is no complexcare log file");

    for (const auto& section : sections) {
        auto ends = section.target->reader->end_offsets();
        if (!ends) return std::move(ends).error();
        for (std::size_t p = 0; p < ends->size(); ++p) {
            if ((*ends)[p] != 0) {
                return refused("target-not-empty", "the target " + section.header.stream +
                                                       " log is not empty (partition " +
                                                       std::to_string(p) + " ends at " +
                                                       std::to_string((*ends)[p]) +
                                                       "); import only into a new log");
            }
        }
    }

    // Then each section into its target, partition by partition in file order.
    in.clear();
    in.seekg(0);
    TransferReport report;
    struct Appending {
        const Section* section;
        PartitionDigests appended;
        std::vector<std::vector<eventlog::OutgoingRecord>> pending;
        std::vector<std::vector<std::int64_t>> source_offsets;
        std::vector<std::int64_t> landed_last;
        std::int64_t records = 0;
    };
    std::optional<Appending> current;
    std::size_t next_section = 0;
    const auto flush = [&](int partition) -> Status {
        auto& batch = current->pending[static_cast<std::size_t>(partition)];
        auto& sources = current->source_offsets[static_cast<std::size_t>(partition)];
        auto& landed_last = current->landed_last[static_cast<std::size_t>(partition)];
        if (batch.empty()) return {};
        auto offsets = current->section->target->writer->append(partition, batch);
        const auto so_far = " (" + std::to_string(report.records + current->records) +
                            " records were imported before; the target must be made anew)";
        if (!offsets) {
            auto error = std::move(offsets).error();
            error.detail += so_far;
            return error;
        }
        if (offsets->size() != batch.size())
            return Error::make(ErrorKind::internal, "append-mismatch", "an append lost records");
        for (std::size_t i = 0; i < batch.size(); ++i) {
            const auto landed = (*offsets)[i];
            if ((preserve && landed != sources[i]) || landed <= landed_last) {
                return refused("offset-moved",
                               "the record at " + std::to_string(partition) + ":" +
                                   std::to_string(sources[i]) + " landed at offset " +
                                   std::to_string(landed) +
                                   " (on Kafka each append's transaction marker takes an offset: "
                                   "import with --offsets renumber)" +
                                   so_far);
            }
            landed_last = landed;
            current->appended.add(
                {partition, preserve ? landed : 0, batch[i].key, batch[i].value, batch[i].headers},
                preserve);
        }
        current->records += static_cast<std::int64_t>(batch.size());
        batch.clear();
        sources.clear();
        return {};
    };
    // The section appended so far is flushed and read back: its target
    // holds, partition by partition, exactly what was appended.
    const auto finish = [&]() -> Status {
        if (!current) return {};
        const auto& header = current->section->header;
        for (int p = 0; p < header.partitions; ++p) {
            if (auto status = flush(p); !status) return status;
        }
        if (current->records != header.records)
            return refused("bad-log-file", "the file changed during the import");
        PartitionDigests stored(header.partitions);
        std::int64_t read_back = 0;
        auto read = eventlog::read_to_end(*current->section->target->reader,
                                          [&](const eventlog::LogRecord& r) -> Status {
                                              ++read_back;
                                              stored.add(r, preserve);
                                              return {};
                                          });
        if (!read) return read;
        if (read_back != current->records || stored.finish() != current->appended.finish()) {
            return Error::make(
                ErrorKind::internal, "read-back-mismatch",
                "the target " + header.stream +
                    " log does not read back as imported: " + std::to_string(read_back) +
                    " records read, " + std::to_string(current->records) + " appended");
        }
        report.records += current->records;
        report.stream_records[header.stream] += current->records;
        current.reset();
        return {};
    };
    auto imported = for_each_line(
        in, path,
        [&](LogFileHeader&&, std::size_t) -> Status {
            if (auto status = finish(); !status) return status;
            if (next_section >= sections.size())
                return refused("bad-log-file", "the file changed during the import");
            const auto& section = sections[next_section++];
            const auto size = static_cast<std::size_t>(section.header.partitions);
            current.emplace(Appending{&section, PartitionDigests(section.header.partitions),
                                      std::vector<std::vector<eventlog::OutgoingRecord>>(size),
                                      std::vector<std::vector<std::int64_t>>(size),
                                      std::vector<std::int64_t>(size, -1)});
            return {};
        },
        [&](eventlog::LogRecord&& r, std::size_t) -> Status {
            const auto p = static_cast<std::size_t>(r.partition);
            current->source_offsets[p].push_back(r.offset);
            current->pending[p].push_back(
                {std::move(r.key), std::move(r.value), std::move(r.headers)});
            if (current->pending[p].size() >= options.batch) return flush(r.partition);
            return {};
        });
    if (!imported) return std::move(imported).error();
    if (auto status = finish(); !status) return std::move(status).error();
    report.bytes = static_cast<std::uint64_t>(std::filesystem::file_size(path));
    report.elapsed = std::chrono::steady_clock::now() - started;
    return report;
}

bool is_header_line(std::string_view line) {
    return line.starts_with("{\"format\"");
}

}  // namespace cc::cli
