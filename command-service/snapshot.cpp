#include "command-service/snapshot.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numeric>

#include "platform/config/env.hpp"
#include "platform/observability/logger.hpp"

namespace cc::command::snapshot {
namespace {

constexpr std::string_view kMagic = "CCWMSNAP";
constexpr std::string_view kSuffix = ".snapshot";
constexpr std::string_view kTemporary = ".tmp-";
constexpr std::size_t kKept = 2;

struct Fnv {
    std::uint64_t hash = 14695981039346656037ULL;
    void add(std::string_view text) {
        for (char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
        hash = (hash ^ 0xffU) * 1099511628211ULL;  // ends each text: "ab","c" is not "a","bc"
    }
    void add(std::uint64_t value) { add(std::to_string(value)); }
};

// Word at a time: a snapshot of a large model is tens of megabytes, read at
// every start. Detects damage, not tampering (the directory is the service's own).
std::uint64_t checksum(std::string_view bytes) {
    std::uint64_t hash = 0x9e3779b97f4a7c15ULL ^ bytes.size();
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, bytes.data() + i, 8);
        hash = (hash ^ word) * 0xff51afd7ed558ccdULL;
        hash ^= hash >> 29;
    }
    for (; i < bytes.size(); ++i) {
        hash = (hash ^ static_cast<unsigned char>(bytes[i])) * 0xc4ceb9fe1a85ec53ULL;
        hash ^= hash >> 29;
    }
    return hash;
}

Error refused(std::string why) {
    return Error::make(ErrorKind::malformed, "snapshot-refused", std::move(why));
}

std::string errno_text() {
    return std::strerror(errno);
}

// "write-model-<total next offsets, 20 digits>-<sequence>.snapshot": the
// newest sorts last.
std::string file_name(std::span<const std::int64_t> next_offsets) {
    const auto total = std::accumulate(next_offsets.begin(), next_offsets.end(), std::int64_t{0});
    char name[96];
    std::snprintf(
        name, sizeof name, "write-model-%020lld-%020lld", static_cast<long long>(total),
        static_cast<long long>(std::chrono::system_clock::now().time_since_epoch().count()));
    return std::string(name) + std::string(kSuffix);
}

std::vector<std::filesystem::path> snapshots_newest_first(const std::string& dir) {
    std::vector<std::filesystem::path> found;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
        const auto name = entry.path().filename().string();
        if (name.starts_with("write-model-") && name.ends_with(kSuffix))
            found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end(), std::greater<>());
    return found;
}

Status fsync_path(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0)
        return Error::make(ErrorKind::unavailable, "snapshot-write", path + ": " + errno_text());
    const int synced = ::fsync(fd);
    ::close(fd);
    if (synced != 0)
        return Error::make(ErrorKind::unavailable, "snapshot-write", path + ": " + errno_text());
    return {};
}

}  // namespace

std::uint64_t layout_hash() {
    Fnv fnv;
    fnv.add(kFormatVersion);
    const WriteModel model;
    for (const auto& store : model.entities.all()) {
        const auto& a = store.description();
        fnv.add(a.name);
        for (auto field : store.kept_fields()) fnv.add(field);
        fnv.add(a.status);
        if (const auto* status = a.field(a.status)) {
            for (auto value : status->values) fnv.add(value);
        }
        fnv.add(a.initial_state);
        fnv.add(a.created);
        fnv.add(a.updated);
        fnv.add(a.deleted);
        for (const auto& action : a.actions) {
            fnv.add(action.event);
            fnv.add(action.to);
            fnv.add(static_cast<std::uint64_t>(action.removes));
        }
        for (const auto& key : a.unique) {
            for (auto field : key.fields) fnv.add(field);
            fnv.add(static_cast<std::uint64_t>(key.per_tenant) * 4 + key.case_insensitive * 2 +
                    key.freed_on_delete);
        }
    }
    return fnv.hash;
}

std::uint64_t log_identity(std::string_view description) {
    Fnv fnv;
    fnv.add(description);
    return fnv.hash;
}

std::uint64_t record_hash(std::string_view value) {
    const auto hash = checksum(value);
    return hash == 0 ? 1 : hash;
}

std::string encode(const WriteModel& model, std::span<const std::int64_t> next_offsets,
                   std::uint64_t log, std::span<const std::uint64_t> last_records) {
    Out out;
    // Grown once rather than by doubling: most of a large model's bytes are
    // its idempotency entries, a couple of hundred bytes each.
    out.bytes().reserve(4096 + model.idempotency.size() * 200);
    out.bytes().append(kMagic);
    out.fixed(kFormatVersion);
    out.fixed(layout_hash());
    out.fixed(log);
    out.fixed(static_cast<std::uint32_t>(next_offsets.size()));
    for (auto offset : next_offsets) out.fixed(offset);
    for (std::size_t p = 0; p < next_offsets.size(); ++p) {
        out.fixed(p < last_records.size() ? last_records[p] : std::uint64_t{0});
    }
    model.entities.save(out);
    model.idempotency.save(out);
    model.registrations.save(out);
    out.fixed(checksum(out.bytes()));
    return std::move(out.bytes());
}

Result<Loaded> decode(std::string_view bytes, std::uint64_t log) {
    if (bytes.size() < kMagic.size() + 8 || !bytes.starts_with(kMagic)) {
        return refused("not a write-model snapshot");
    }
    const auto body = bytes.substr(0, bytes.size() - 8);
    std::uint64_t stored = 0;
    std::memcpy(&stored, bytes.data() + body.size(), 8);
    In in(body.substr(kMagic.size()));
    const auto format = in.fixed<std::uint32_t>();
    if (format != kFormatVersion) {
        return refused("format version " + std::to_string(format) + ", this build reads " +
                       std::to_string(kFormatVersion));
    }
    if (in.fixed<std::uint64_t>() != layout_hash()) {
        return refused("written for other aggregate descriptions (layout hash differs)");
    }
    if (checksum(body) != stored) return refused("checksum mismatch: the file is damaged");
    if (in.fixed<std::uint64_t>() != log) return refused("written for another log");
    Loaded loaded{std::make_unique<WriteModel>(), {}, {}};
    const auto partitions = in.fixed<std::uint32_t>();
    for (std::uint32_t p = 0; p < partitions && in.ok(); ++p) {
        loaded.next_offsets.push_back(in.fixed<std::int64_t>());
    }
    for (std::uint32_t p = 0; p < partitions && in.ok(); ++p) {
        loaded.last_records.push_back(in.fixed<std::uint64_t>());
    }
    auto& model = *loaded.model;
    if (!in.ok() || !model.entities.load(in) || !model.idempotency.load(in) ||
        !model.registrations.load(in) || !in.at_end()) {
        return refused("truncated or malformed body");
    }
    return loaded;
}

Config Config::from_env(std::string_view log_description) {
    Config config;
    config.dir = config::env_or("CC_SNAPSHOT_DIR", ".data/snapshots");
    if (config.dir == "off") config.dir.clear();
    config.every = config::env_int("CC_SNAPSHOT_EVERY", 250'000);
    config.log = log_identity(log_description);
    return config;
}

Status write(const std::string& dir, std::span<const std::int64_t> next_offsets,
             std::string_view bytes, const std::function<void()>& after_part) {
    std::error_code error;
    std::filesystem::create_directories(dir, error);
    if (error)
        return Error::make(ErrorKind::unavailable, "snapshot-write", dir + ": " + error.message());
    // What a crash left behind is never read: only renamed files are.
    for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
        if (entry.path().filename().string().starts_with(kTemporary)) {
            std::filesystem::remove(entry.path(), error);
        }
    }
    const auto name = file_name(next_offsets);
    const auto temporary = (std::filesystem::path(dir) / (std::string(kTemporary) + name)).string();
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return Error::make(ErrorKind::unavailable, "snapshot-write",
                           temporary + ": " + errno_text());
    std::size_t written = 0;
    bool told = false;
    while (written < bytes.size()) {
        const auto chunk = std::min<std::size_t>(bytes.size() - written, 1 << 20);
        const auto n = ::write(fd, bytes.data() + written, chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const auto why = errno_text();
            ::close(fd);
            std::filesystem::remove(temporary, error);
            return Error::make(ErrorKind::unavailable, "snapshot-write", temporary + ": " + why);
        }
        written += static_cast<std::size_t>(n);
        if (after_part && !told && written < bytes.size()) {
            told = true;
            after_part();
        }
    }
    if (after_part && !told) after_part();
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced)
        return Error::make(ErrorKind::unavailable, "snapshot-write",
                           temporary + ": " + errno_text());
    const auto final_path = (std::filesystem::path(dir) / name).string();
    if (::rename(temporary.c_str(), final_path.c_str()) != 0) {
        return Error::make(ErrorKind::unavailable, "snapshot-write",
                           final_path + ": " + errno_text());
    }
    if (auto status = fsync_path(dir, O_RDONLY | O_DIRECTORY); !status) return status;
    const auto all = snapshots_newest_first(dir);
    for (std::size_t i = kKept; i < all.size(); ++i) std::filesystem::remove(all[i], error);
    return {};
}

std::optional<Loaded> load_newest(const Config& config, std::span<const std::int64_t> log_ends) {
    if (!config.enabled()) return std::nullopt;
    for (const auto& path : snapshots_newest_first(config.dir)) {
        std::ifstream file(path, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
        auto loaded = decode(bytes, config.log);
        std::string why;
        if (!loaded) {
            why = loaded.error().detail;
        } else if (loaded->next_offsets.size() != log_ends.size()) {
            why = "written for " + std::to_string(loaded->next_offsets.size()) +
                  " partitions, the log has " + std::to_string(log_ends.size());
        } else {
            for (std::size_t p = 0; p < log_ends.size() && why.empty(); ++p) {
                if (loaded->next_offsets[p] > log_ends[p] || loaded->next_offsets[p] < 0) {
                    why = "beyond the end of partition " + std::to_string(p) +
                          ": the log was replaced";
                }
            }
        }
        if (why.empty()) {
            obs::info("write model snapshot loaded",
                      {{"file", path.string()}, {"bytes", bytes.size()}});
            return std::move(*loaded);
        }
        obs::warn("write model snapshot ignored", {{"file", path.string()}, {"reason", why}});
    }
    return std::nullopt;
}

Status verify(const Loaded& snapshot, eventlog::LogReader& reader) {
    const auto& next = snapshot.next_offsets;
    const auto mismatch = [](std::size_t p, const std::string& why) {
        return Error::make(ErrorKind::conflict, "snapshot-of-another-log",
                           "partition " + std::to_string(p) + ": " + why);
    };
    auto ends = reader.end_offsets();
    if (!ends) return std::move(ends).error();
    std::vector<bool> waiting(next.size());
    for (std::size_t p = 0; p < next.size(); ++p) waiting[p] = next[p] > 0;
    while (std::find(waiting.begin(), waiting.end(), true) != waiting.end()) {
        auto records = reader.poll(1000, std::chrono::milliseconds(200));
        if (!records) return std::move(records).error();
        for (const auto& record : *records) {
            const auto p = static_cast<std::size_t>(record.partition);
            if (p >= next.size() || !waiting[p]) continue;
            if (record.offset != next[p] - 1) {
                return mismatch(p, "no record just before the snapshot's position");
            }
            if (p >= snapshot.last_records.size() ||
                snapshot.last_records[p] != record_hash(record.value)) {
                return mismatch(p, "the record before the snapshot's position differs");
            }
            waiting[p] = false;
        }
        if (!records->empty()) continue;
        const auto positions = reader.positions();
        for (std::size_t p = 0; p < next.size(); ++p) {
            const auto at = positions.find(static_cast<int>(p));
            if (waiting[p] && at != positions.end() && at->second >= (*ends)[p]) {
                return mismatch(p, "no record just before the snapshot's position");
            }
        }
    }
    return {};
}

}  // namespace cc::command::snapshot
