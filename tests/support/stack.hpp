#pragma once
// The three services as real processes against a fresh database, on one log
// backend (the mock Kafka cluster is hosted by the test process).
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "platform/auth/token.hpp"
#include "platform/eventlog/factory.hpp"
#include "tests/support/process.hpp"

namespace cc::testing {

std::string backend_name(eventlog::Backend b);

struct Stack {
    explicit Stack(eventlog::Backend backend);

    // `overrides` replace entries of `env` for this process only.
    std::unique_ptr<Process> start(const std::string& binary, int port,
                                   const std::map<std::string, std::string>& overrides = {});
    void start_command_service();
    // Records in the log, all partitions together.
    std::int64_t log_size();
    std::string token_for(const UserId& user,
                          std::chrono::seconds ttl = std::chrono::hours(1)) const;

    auth::AuthConfig auth_config;
    UserId admin = UserId::generate();  // a configured platform administrator
    std::string admin_token;
    std::string database_url;
    eventlog::LogConfig log;
    std::map<std::string, std::string> env;
    static constexpr std::size_t document_max_bytes = 65536;  // CC_DOCUMENT_MAX_BYTES
    std::string blob_dir;                                     // CC_BLOB_DIR
    static constexpr const char* cors_origins = "https://app.example.org,http://localhost:5173";
    std::unique_ptr<eventlog::KafkaMockCluster> cluster;
    int command_port = 0, query_port = 0, projector_port = 0;
    std::unique_ptr<Process> command, projector, query;
};

// One stack per backend, shared by the tests of a binary.
std::map<eventlog::Backend, std::unique_ptr<Stack>>& stacks();
Stack& stack_for(eventlog::Backend backend);

}  // namespace cc::testing
