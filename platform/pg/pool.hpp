#pragma once
// A fixed-size pool of libpqxx connections. Connections open lazily and a
// lease that saw a broken connection is discarded instead of returned.
// Metrics, labelled by the pool's name: pg_pool_capacity,
// pg_pool_connections{state="idle"|"in_use"} and the pg_pool_wait_seconds
// histogram (how long acquire() took: a pool too small shows here first).
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pqxx/connection>

namespace cc::pg {

// The search path a thread's leases take while the scope lives: a request
// pinned to one projection generation reads from it whichever part of the
// code acquires a connection. Scopes nest; none: the server's default.
class SearchPathScope {
  public:
    explicit SearchPathScope(std::string search_path);
    ~SearchPathScope();
    SearchPathScope(const SearchPathScope&) = delete;
    SearchPathScope& operator=(const SearchPathScope&) = delete;
    // The innermost scope's path, "" outside any.
    static const std::string& active();

  private:
    std::string path_;
    const std::string* previous_;
};

class ConnectionPool {
  public:
    ConnectionPool(std::string conninfo, std::size_t size, const std::string& name = "default");
    ~ConnectionPool();
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    class Lease {
      public:
        Lease(ConnectionPool& pool, std::unique_ptr<pqxx::connection> connection,
              std::string search_path);
        ~Lease();
        Lease(Lease&&) noexcept;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Lease& operator=(Lease&&) = delete;

        pqxx::connection& operator*() const { return *connection_; }
        pqxx::connection* operator->() const { return connection_.get(); }

      private:
        friend class ConnectionPool;
        ConnectionPool* pool_;
        std::unique_ptr<pqxx::connection> connection_;
        std::string search_path_;  // what the connection has ("": the default)
    };

    // Blocks until a connection is free; throws pqxx::broken_connection when
    // a new connection cannot be opened. The lease searches the thread's
    // SearchPathScope (set only when the connection's differs).
    Lease acquire();
    const std::string& conninfo() const { return conninfo_; }

  private:
    struct Metrics;
    struct Idle {
        std::unique_ptr<pqxx::connection> connection;
        std::string search_path;
    };
    void release(std::unique_ptr<pqxx::connection> connection, std::string search_path);
    void publish_locked();

    std::string conninfo_;
    std::size_t size_;
    std::size_t opened_ = 0;
    std::vector<Idle> idle_;
    std::mutex mutex_;
    std::condition_variable available_;
    std::unique_ptr<Metrics> metrics_;
};

}  // namespace cc::pg
