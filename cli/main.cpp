// complexcare: the operator's command line.
//   complexcare migrate [--database-url URL] [--dir DIR]
//   complexcare kafka-mock [--topic T] [--partitions N] [--brokers N]
//   complexcare token --user ID [--ttl 1h] [--platform-admin true]
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>

#include "platform/auth/token.hpp"
#include "platform/config/env.hpp"
#include "platform/eventlog/kafka_log.hpp"
#include "platform/http/server.hpp"
#include "platform/pg/migrator.hpp"

namespace {

constexpr const char* kUsage =
    "usage: complexcare <command> [options]\n"
    "  migrate     apply migrations/*.sql in order (--database-url, --dir)\n"
    "  kafka-mock  host librdkafka's mock Kafka cluster until Ctrl-C and print its\n"
    "              bootstrap servers (--topic, --partitions, --brokers)\n"
    "  token       mint a development token signed with CC_JWT_SECRET\n"
    "              (--user ID, --ttl 1h|30m|3600s, --platform-admin true)\n";

// --name value pairs; anything else is an error.
bool parse_flags(int argc, char** argv, std::map<std::string, std::string>& flags) {
    for (int i = 2; i < argc; i += 2) {
        const std::string name = argv[i];
        if (name.rfind("--", 0) != 0 || i + 1 >= argc) return false;
        flags[name.substr(2)] = argv[i + 1];
    }
    return true;
}

std::string flag(const std::map<std::string, std::string>& flags, const std::string& name,
                 const std::string& fallback) {
    auto it = flags.find(name);
    return it == flags.end() ? fallback : it->second;
}

int migrate(const std::map<std::string, std::string>& flags) {
    const auto url = flag(
        flags, "database-url",
        cc::config::env_or("CC_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/complexcare"));
    const auto dir = flag(flags, "dir", cc::config::env_or("CC_MIGRATIONS_DIR", "migrations"));
    auto report = cc::pg::migrate(url, dir);
    if (!report) {
        std::cerr << "migrate: " << report.error().detail << "\n";
        return 1;
    }
    for (const auto& name : report->applied) std::cout << "applied " << name << "\n";
    std::cout << report->applied.size() << " applied, " << report->already_applied.size()
              << " already applied\n";
    return 0;
}

int kafka_mock(const std::map<std::string, std::string>& flags) {
    cc::http::block_shutdown_signals();
    cc::eventlog::KafkaMockCluster cluster(std::stoi(flag(flags, "brokers", "1")),
                                           flag(flags, "topic", "complexcare.events"),
                                           std::stoi(flag(flags, "partitions", "8")));
    // The first line is machine-read by scripts/stack.
    std::cout << cluster.bootstrap_servers() << std::endl;
    cc::http::wait_for_shutdown_signal();
    return 0;
}

// "90s", "30m", "12h", "7d" or plain seconds.
std::chrono::seconds parse_ttl(const std::string& text) {
    std::size_t used = 0;
    const long value = std::stol(text, &used);
    const std::string unit = text.substr(used);
    long factor = 1;
    if (unit == "m")
        factor = 60;
    else if (unit == "h")
        factor = 3600;
    else if (unit == "d")
        factor = 86400;
    else if (!unit.empty() && unit != "s")
        throw std::invalid_argument("--ttl must be like 90s, 30m, 12h or 7d");
    if (value <= 0) throw std::invalid_argument("--ttl must be positive");
    return std::chrono::seconds(value * factor);
}

int token(const std::map<std::string, std::string>& flags) {
    const auto user = cc::UserId::parse(flag(flags, "user", ""));
    if (!user) {
        std::cerr << "token: --user must be a user id (UUID)\n";
        return 2;
    }
    const auto config = cc::auth::AuthConfig::from_env();
    if (config.hs256_secret.empty()) {
        std::cerr << "token: CC_JWT_SECRET is not set\n";
        return 2;
    }
    std::cout << cc::auth::mint_hs256(config, *user, parse_ttl(flag(flags, "ttl", "1h")),
                                      flag(flags, "platform-admin", "false") == "true")
              << "\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << kUsage;
        return 2;
    }
    const std::string command = argv[1];
    std::map<std::string, std::string> flags;
    if (!parse_flags(argc, argv, flags)) {
        std::cerr << kUsage;
        return 2;
    }
    try {
        if (command == "migrate") return migrate(flags);
        if (command == "kafka-mock") return kafka_mock(flags);
        if (command == "token") return token(flags);
    } catch (const std::exception& e) {
        std::cerr << command << ": " << e.what() << "\n";
        return 1;
    }
    std::cerr << kUsage;
    return 2;
}
