#include "tests/support/s3_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace cc::testing {
namespace {

namespace fs = std::filesystem;

// How s3rver names the file of an object's bytes.
constexpr std::string_view kObjectSuffix = "._S3rver_object";

}  // namespace

S3Server::S3Server(std::string bucket) : bucket_(std::move(bucket)) {
    dir_ = fs::temp_directory_path() / ("cc-s3rver-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const std::string script =
        std::string(CC_SOURCE_DIR) + "/tools/contracts/node_modules/s3rver/bin/s3rver.js";
    if (!fs::exists(script)) {
        throw std::runtime_error(script + " is missing: run scripts/install-deps");
    }
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    const std::string log = (dir_ / "s3rver.log").string();
    const std::string data = (dir_ / "data").string();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::dup2(pipe_fds[1], STDOUT_FILENO);
        if (const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644); err >= 0) {
            ::dup2(err, STDERR_FILENO);
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        // s3rver's continuation tokens are DES-encrypted, which OpenSSL 3
        // keeps in its legacy provider.
        ::execlp("node", "node", "--openssl-legacy-provider", script.c_str(), "--directory",
                 data.c_str(), "--address", "127.0.0.1", "--port", "0", "--silent",
                 "--configure-bucket", bucket_.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    output_ = pipe_fds[0];
    // "S3rver listening on 127.0.0.1:<port>" once it accepts connections.
    const std::string_view marker = "S3rver listening on 127.0.0.1:";
    std::string said;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (port_ == 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd readable{output_, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&readable, 1, static_cast<int>(left.count())) <= 0) break;
        char buffer[512];
        const auto n = ::read(output_, buffer, sizeof buffer);
        if (n <= 0) break;  // it exited
        said.append(buffer, static_cast<std::size_t>(n));
        if (const auto at = said.find(marker); at != std::string::npos) {
            const auto end = said.find('\n', at);
            if (end != std::string::npos) {
                port_ = std::stoi(said.substr(at + marker.size(), end - at - marker.size()));
            }
        }
    }
    if (port_ == 0) {
        std::ifstream errors(log);
        const std::string why((std::istreambuf_iterator<char>(errors)),
                              std::istreambuf_iterator<char>());
        stop();
        throw std::runtime_error("s3rver did not start:\n" + said + why);
    }
}

S3Server::~S3Server() {
    stop();
}

void S3Server::stop() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }
    if (output_ >= 0) ::close(output_);
    output_ = -1;
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

blob::S3Config S3Server::config() const {
    blob::S3Config config;
    config.endpoint = endpoint();
    config.bucket = bucket_;
    config.access_key_id = "S3RVER";
    config.secret_access_key = "S3RVER";
    return config;
}

std::map<std::string, std::string> S3Server::env() const {
    const auto c = config();
    return {{"CC_BLOB_BACKEND", "s3"},
            {"CC_S3_ENDPOINT", c.endpoint},
            {"CC_S3_BUCKET", c.bucket},
            {"CC_S3_REGION", c.region},
            {"CC_S3_ACCESS_KEY_ID", c.access_key_id},
            {"CC_S3_SECRET_ACCESS_KEY", c.secret_access_key}};
}

fs::path S3Server::object_file(const std::string& key) const {
    return dir_ / "data" / bucket_ / (key + std::string(kObjectSuffix));
}

std::size_t S3Server::objects() const {
    std::size_t count = 0;
    std::error_code ec;
    const auto top = dir_ / "data" / bucket_ / "sha256";
    if (!fs::exists(top, ec)) return 0;
    for (const auto& entry : fs::recursive_directory_iterator(top)) {
        if (entry.is_regular_file() && entry.path().string().ends_with(kObjectSuffix)) ++count;
    }
    return count;
}

void S3Server::clear() const {
    std::error_code ec;
    fs::remove_all(dir_ / "data" / bucket_ / "sha256", ec);
}

}  // namespace cc::testing
