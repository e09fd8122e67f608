#pragma once
#include <unistd.h>
// The three services as real processes against a fresh database, on one log
// backend (the mock Kafka cluster is hosted by the test process).
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "platform/auth/token.hpp"
#include "platform/eventlog/factory.hpp"
#include "tests/support/process.hpp"
#include "tests/support/s3_server.hpp"

namespace cc::testing {

std::string backend_name(eventlog::Backend b);

enum class BlobBackend { directory, s3 };

// What a stack runs on: a log backend and a blob store. Made from a log
// backend alone (blobs in a directory) and read as one, so the suites that
// only vary the log need not know of blobs.
struct StackKind {
    StackKind(eventlog::Backend log_backend,  // NOLINT: implicit by design
              BlobBackend blob_backend = BlobBackend::directory)
        : log(log_backend), blobs(blob_backend) {}
    operator eventlog::Backend() const { return log; }  // NOLINT
    eventlog::Backend log;
    BlobBackend blobs;
};
// "postgres", "kafka", "postgres_s3": a test name's last part.
std::string stack_name(const StackKind& kind);
void PrintTo(const StackKind& kind, std::ostream* out);

struct Stack {
    // `settings` add to or replace the services' environment (below).
    explicit Stack(StackKind kind, const std::map<std::string, std::string>& settings = {});

    // `overrides` replace entries of `env` for this process only. Returns
    // once /readyz answers 200, or at once when `wait_ready` is false.
    std::unique_ptr<Process> start(const std::string& binary, int port,
                                   const std::map<std::string, std::string>& overrides = {},
                                   bool wait_ready = true);
    void start_command_service();
    // start() on a port free_port() gives, waiting until the server that
    // answers there is this process (another test binary may have been
    // given the same port between free_port() and the bind): on another
    // port until it is. `port` is set to the one it listens on.
    std::unique_ptr<Process> start_on_a_free_port(
        const std::string& binary, int& port,
        const std::map<std::string, std::string>& overrides = {});
    // Where the services of this backend write their logs (shared by the
    // test binaries of a machine: search it by a unique request id).
    // Per test process: ctest runs the e2e and fault suites at once, and
    // each must read its own services' lines.
    std::string log_file() const {
        return "/tmp/cc-e2e-" + backend_name(log.backend) + "-" + std::to_string(::getpid()) +
               ".log";
    }
    // Records in the log, all partitions together.
    std::int64_t log_size();
    std::string token_for(const UserId& user,
                          std::chrono::seconds ttl = std::chrono::hours(1)) const;
    // Platform administration is not access to care records (DESIGN.md):
    // a tenant's data is reached as an admin member of it, made by the
    // operator on first use and projected before this returns; nullopt for a
    // tenant that does not exist. Thread-safe.
    std::optional<UserId> tenant_admin(const std::string& tenant_id);
    // The bearer token `target` needs: a tenant admin's for a tenant's data,
    // the operator's for the rest (tenants, users, members, features).
    std::string token_for_target(const std::string& target);

    auth::AuthConfig auth_config;
    UserId admin = UserId::generate();  // a configured platform administrator
    std::string admin_token;
    std::string database_url;
    eventlog::LogConfig log;
    std::map<std::string, std::string> env;
    static constexpr std::size_t document_max_bytes = 65536;  // CC_DOCUMENT_MAX_BYTES
    std::string blob_dir;                                     // CC_BLOB_DIR
    std::unique_ptr<S3Server> s3;                             // with CC_BLOB_BACKEND=s3
    // The file that holds a blob's bytes, in the directory or in s3rver's
    // store: a test damages, removes or restores it there.
    std::filesystem::path blob_file(const std::string& key) const;
    // Blobs stored, temporaries included.
    std::size_t stored_blobs() const;
    static constexpr const char* cors_origins = "https://app.example.org,http://localhost:5173";
    std::unique_ptr<eventlog::KafkaMockCluster> cluster;
    int command_port = 0, query_port = 0, projector_port = 0;
    std::unique_ptr<Process> command, projector, query;

  private:
    std::mutex tenant_admins_mutex_;
    std::map<std::string, std::optional<UserId>> tenant_admins_;
};

// One stack per kind, shared by the tests of a binary.
std::map<std::pair<eventlog::Backend, BlobBackend>, std::unique_ptr<Stack>>& stacks();
Stack& stack_for(const StackKind& kind);

}  // namespace cc::testing
