#include "platform/blob/directory_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "platform/config/env.hpp"
#include "platform/core/uuid.hpp"

namespace cc::blob {
namespace {

namespace fs = std::filesystem;

// A descriptor closed on every path out.
class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    int release() { return std::exchange(fd_, -1); }
    // close() reports write-back errors that a silent destructor would lose.
    int release_and_close() {
        const int rc = ::close(fd_);
        fd_ = -1;
        return rc;
    }

  private:
    int fd_;
};

Error io_error(const std::string& what, int error_number) {
    // A full disk is told apart: an operator frees space, no retry mends it.
    const bool full = error_number == ENOSPC || error_number == EDQUOT;
    return Error::make(ErrorKind::unavailable, full ? "blob-store-full" : "blob-store-unavailable",
                       what + ": " + std::strerror(error_number));
}

Status fsync_dir(const fs::path& dir) {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid() || ::fsync(fd.get()) != 0) return io_error("fsync " + dir.string(), errno);
    return {};
}

// Creates the missing directories down to `dir`, each made durable in its
// parent, so a blob renamed into it cannot vanish with a directory entry.
Status make_dirs(const fs::path& root, const fs::path& dir) {
    fs::path at = root;
    for (const auto& part : fs::relative(dir, root)) {
        const fs::path parent = at;
        at /= part;
        if (::mkdir(at.c_str(), 0750) == 0) {
            if (auto s = fsync_dir(parent); !s) return s;
        } else if (errno != EEXIST) {
            return io_error("mkdir " + at.string(), errno);
        }
    }
    return {};
}

// Reads `size` bytes from where the descriptor stands.
class FileReader final : public BlobReader {
  public:
    FileReader(int fd, std::uint64_t size) : fd_(fd), size_(size), left_(size) {}
    std::uint64_t size() const override { return size_; }
    Result<std::size_t> read(std::span<char> out) override {
        const auto wanted = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), left_));
        if (wanted == 0) return std::size_t{0};
        for (;;) {
            const auto n = ::read(fd_.get(), out.data(), wanted);
            if (n >= 0) {
                left_ -= static_cast<std::uint64_t>(n);
                return static_cast<std::size_t>(n);
            }
            if (errno != EINTR) return io_error("read", errno);
        }
    }

  private:
    Fd fd_;
    std::uint64_t size_;
    std::uint64_t left_;
};

}  // namespace

DirectoryStore::DirectoryStore(fs::path root) : root_(std::move(root)) {}

fs::path blob_dir_from_env() {
    return config::env_or("CC_BLOB_DIR", ".data/blobs");
}

Result<fs::path> DirectoryStore::path_of(std::string_view key) const {
    if (!is_store_name(key)) {
        return Error::make(ErrorKind::malformed, "bad-blob-key",
                           "not a blob key: " + std::string(key));
    }
    return root_ / fs::path(std::string(key));
}

Status DirectoryStore::put(std::string_view key, std::string_view bytes) {
    if (!digest_of(key)) {
        return Error::make(ErrorKind::internal, "bad-blob-key",
                           "not a blob key: " + std::string(key));
    }
    auto path = path_of(key);
    if (!path) return std::move(path).error();
    const fs::path dir = path->parent_path();
    // The root is made once, when the installation first stores a file.
    std::error_code ec;
    fs::create_directories(root_, ec);
    if (ec) return io_error("create " + root_.string() + " (" + ec.message() + ")", EIO);
    if (auto s = make_dirs(root_, dir); !s) return s;
    // Beside its final name (one directory, one filesystem: rename is atomic);
    // a leading dot keeps it from ever looking like a key.
    const fs::path temporary =
        dir / ("." + path->filename().string() + "." + Uuid::random_v4().to_string() + ".tmp");
    Fd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
    if (!fd.valid()) return io_error("create " + temporary.string(), errno);
    std::size_t written = 0;
    while (written < bytes.size()) {
        const auto n = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int error_number = errno;
            ::unlink(temporary.c_str());
            return io_error("write " + temporary.string(), error_number);
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0 || fd.release_and_close() != 0) {
        const int error_number = errno;
        ::unlink(temporary.c_str());
        return io_error("fsync " + temporary.string(), error_number);
    }
    if (::rename(temporary.c_str(), path->c_str()) != 0) {
        const int error_number = errno;
        ::unlink(temporary.c_str());
        return io_error("rename to " + path->string(), error_number);
    }
    return fsync_dir(dir);
}

Result<std::unique_ptr<BlobReader>> DirectoryStore::open_range(std::string_view key,
                                                               std::uint64_t first,
                                                               std::uint64_t length) {
    auto path = path_of(key);
    if (!path) return std::move(path).error();
    Fd fd(::open(path->c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
        if (errno == ENOENT) {
            return Error::make(ErrorKind::not_found, "blob-missing", "no blob " + std::string(key));
        }
        return io_error("open " + path->string(), errno);
    }
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) return io_error("stat " + path->string(), errno);
    const auto size = static_cast<std::uint64_t>(info.st_size);
    const auto start = std::min(first, size);
    if (start > 0 && ::lseek(fd.get(), static_cast<off_t>(start), SEEK_SET) < 0) {
        return io_error("seek " + path->string(), errno);
    }
    return std::unique_ptr<BlobReader>(
        std::make_unique<FileReader>(fd.release(), std::min(length, size - start)));
}

Result<std::vector<BlobInfo>> DirectoryStore::list() {
    std::vector<BlobInfo> out;
    const fs::path top = root_ / "sha256";
    std::error_code ec;
    if (!fs::exists(top, ec)) return out;
    for (auto it = fs::recursive_directory_iterator(top, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        struct stat info {};
        if (::stat(it->path().c_str(), &info) != 0) continue;  // removed meanwhile
        const auto written = std::chrono::system_clock::time_point(
            std::chrono::seconds(info.st_mtim.tv_sec) +
            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                std::chrono::nanoseconds(info.st_mtim.tv_nsec)));
        out.push_back({fs::relative(it->path(), root_).generic_string(),
                       static_cast<std::uint64_t>(info.st_size), written});
    }
    if (ec) return io_error("list " + top.string() + " (" + ec.message() + ")", EIO);
    return out;
}

Status DirectoryStore::remove(std::string_view key) {
    auto path = path_of(key);
    if (!path) return std::move(path).error();
    if (::unlink(path->c_str()) != 0 && errno != ENOENT) {
        return io_error("remove " + path->string(), errno);
    }
    return fsync_dir(path->parent_path());
}

}  // namespace cc::blob
