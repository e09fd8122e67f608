#include "tests/support/postgres_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <pqxx/pqxx>
#include <stdexcept>

#include "platform/pg/migrator.hpp"

namespace cc::testing {
namespace {

const char* kPgBin = "/usr/lib/postgresql/15/bin";

void run(const std::string& command) {
    if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
}

// initdb and postgres refuse to run as root.
std::string as_server_user(const std::string& command) {
    return geteuid() == 0 ? "runuser -u postgres -- " + command : command;
}

}  // namespace

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    const int port = ntohs(address.sin_port);
    ::close(fd);
    return port;
}

PostgresServer::PostgresServer() {
    char pattern[] = "/tmp/cc-test-pg-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    std::filesystem::permissions(
        dir_, std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                  std::filesystem::perms::others_exec | std::filesystem::perms::group_read |
                  std::filesystem::perms::others_read);
    if (geteuid() == 0) run("chown postgres " + dir_);
    port_ = free_port();
    run(as_server_user(std::string(kPgBin) + "/initdb -D " + dir_ +
                       "/data -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >" + dir_ +
                       "/initdb.log 2>&1"));
    start();
}

void PostgresServer::start() {
    run(as_server_user(std::string(kPgBin) + "/pg_ctl -D " + dir_ + "/data -l " + dir_ +
                       "/server.log -w -t 30 -o \"-c listen_addresses=127.0.0.1 -p " +
                       std::to_string(port_) + " -k " + dir_ +
                       " -c fsync=off -c max_connections=200\" start >/dev/null"));
}

void PostgresServer::stop() {
    // "fast": sessions are ended and the server shuts down cleanly, as an
    // operator's restart does; -w returns once it no longer accepts anything.
    run(as_server_user(std::string(kPgBin) + "/pg_ctl -D " + dir_ +
                       "/data -m fast -w -t 60 stop >/dev/null"));
}

PostgresServer::~PostgresServer() {
    std::system(as_server_user(std::string(kPgBin) + "/pg_ctl -D " + dir_ +
                               "/data -m immediate stop >/dev/null 2>&1")
                    .c_str());
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

std::string PostgresServer::conninfo(const std::string& database) const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + database;
}

std::string PostgresServer::create_database(const std::string& name, bool migrate) {
    {
        pqxx::connection admin(conninfo("postgres"));
        pqxx::nontransaction tx(admin);
        tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name) + " WITH (FORCE)");
        tx.exec("CREATE DATABASE " + tx.quote_name(name));
    }
    if (migrate) {
        auto report = pg::migrate(conninfo(name), migrations_dir());
        if (!report) throw std::runtime_error("migrate: " + report.error().detail);
    }
    return conninfo(name);
}

PostgresServer& postgres() {
    static auto server = std::make_unique<PostgresServer>();
    return *server;
}

long scalar(const std::string& database_url, const std::string& sql) {
    pqxx::connection c(database_url);
    pqxx::read_transaction tx(c);
    return tx.exec(sql)[0][0].as<long>();
}

std::string migrations_dir() {
    return std::string(CC_SOURCE_DIR) + "/migrations";
}
std::string pg_tool(const std::string& name) {
    return std::string(kPgBin) + "/" + name;
}
std::string binary(const std::string& relative) {
    return std::string(CC_BINARY_DIR) + "/" + relative;
}

}  // namespace cc::testing
