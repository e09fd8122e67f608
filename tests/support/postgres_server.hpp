#pragma once
// A private PostgreSQL server from Debian's packages, started in a temporary
// folder on a free port for the duration of a test binary.
#include <string>

namespace cc::testing {

class PostgresServer {
  public:
    PostgresServer();
    ~PostgresServer();
    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;

    // A fresh database on this server, migrated when `migrate` is true.
    std::string create_database(const std::string& name, bool migrate = true);
    std::string conninfo(const std::string& database) const;
    int port() const { return port_; }
    // Stops the server (every session ended) and starts it again on the same
    // port and data: an outage of the database under the services.
    void stop();
    void start();

  private:
    std::string dir_;
    int port_ = 0;
};

// The server shared by every test of a binary (started on first use).
PostgresServer& postgres();

// Path of the repository's migrations folder.
std::string migrations_dir();
// Path of a built binary, e.g. binary("command-service/command-service").
std::string binary(const std::string& relative);
// Path of a PostgreSQL program of the server's version, e.g. pg_tool("pg_dump").
std::string pg_tool(const std::string& name);

int free_port();
// The first column of the first row of `sql`, as a number (a count).
long scalar(const std::string& database_url, const std::string& sql);

}  // namespace cc::testing
