#include "platform/pg/pool.hpp"

#include <pqxx/pqxx>

#include <chrono>

#include "platform/observability/metrics.hpp"

namespace cc::pg {

// Families are registered once per process; each pool adds its own series.
struct ConnectionPool::Metrics {
    prometheus::Gauge& idle;
    prometheus::Gauge& in_use;
    prometheus::Histogram& wait;

    Metrics(const std::string& name, std::size_t capacity)
        : idle(connections().Add({{"pool", name}, {"state", "idle"}})),
          in_use(connections().Add({{"pool", name}, {"state", "in_use"}})),
          wait(waits().Add({{"pool", name}},
                           prometheus::Histogram::BucketBoundaries{0.0001, 0.001, 0.005, 0.01, 0.05,
                                                                   0.1, 0.5, 1, 5})) {
        capacities().Add({{"pool", name}}).Set(static_cast<double>(capacity));
    }

    static prometheus::Family<prometheus::Gauge>& connections() {
        static auto& family = prometheus::BuildGauge()
                                  .Name("pg_pool_connections")
                                  .Help("Open database connections by state")
                                  .Register(obs::metrics_registry());
        return family;
    }
    static prometheus::Family<prometheus::Gauge>& capacities() {
        static auto& family = prometheus::BuildGauge()
                                  .Name("pg_pool_capacity")
                                  .Help("Most connections the pool opens")
                                  .Register(obs::metrics_registry());
        return family;
    }
    static prometheus::Family<prometheus::Histogram>& waits() {
        static auto& family = prometheus::BuildHistogram()
                                  .Name("pg_pool_wait_seconds")
                                  .Help("How long acquiring a database connection took")
                                  .Register(obs::metrics_registry());
        return family;
    }
};

namespace {
const std::string kDefaultPath;
thread_local const std::string* active_path = &kDefaultPath;

// Brings a connection to the path wanted; "" is the server's default.
void set_search_path(pqxx::connection& connection, std::string& has, const std::string& wanted) {
    if (has == wanted) return;
    pqxx::nontransaction tx(connection);
    tx.exec(wanted.empty() ? std::string("SET search_path TO DEFAULT")
                           : "SET search_path TO " + wanted);
    has = wanted;
}
}  // namespace

SearchPathScope::SearchPathScope(std::string search_path)
    : path_(std::move(search_path)), previous_(active_path) {
    active_path = &path_;
}

SearchPathScope::~SearchPathScope() {
    active_path = previous_;
}

const std::string& SearchPathScope::active() {
    return *active_path;
}

ConnectionPool::ConnectionPool(std::string conninfo, std::size_t size, const std::string& name)
    : conninfo_(std::move(conninfo)),
      size_(size == 0 ? 1 : size),
      metrics_(std::make_unique<Metrics>(name, size_)) {}

ConnectionPool::~ConnectionPool() = default;

ConnectionPool::Lease ConnectionPool::acquire() {
    const auto started = std::chrono::steady_clock::now();
    const auto waited = [&] {
        metrics_->wait.Observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    };
    const auto& wanted = SearchPathScope::active();
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty() || opened_ < size_; });
    if (!idle_.empty()) {
        auto idle = std::move(idle_.back());
        idle_.pop_back();
        publish_locked();
        lock.unlock();
        waited();
        // A lease that fails here is dropped with its connection.
        Lease lease(*this, std::move(idle.connection), std::move(idle.search_path));
        set_search_path(*lease, lease.search_path_, wanted);
        return lease;
    }
    ++opened_;
    publish_locked();
    lock.unlock();
    try {
        Lease lease(*this, std::make_unique<pqxx::connection>(conninfo_), "");
        waited();
        set_search_path(*lease, lease.search_path_, wanted);
        return lease;
    } catch (...) {
        lock.lock();
        --opened_;
        publish_locked();
        available_.notify_one();
        throw;
    }
}

void ConnectionPool::release(std::unique_ptr<pqxx::connection> connection,
                             std::string search_path) {
    std::lock_guard lock(mutex_);
    if (connection && connection->is_open()) {
        idle_.push_back({std::move(connection), std::move(search_path)});
    } else {
        --opened_;
    }
    publish_locked();
    available_.notify_one();
}

void ConnectionPool::publish_locked() {
    metrics_->idle.Set(static_cast<double>(idle_.size()));
    metrics_->in_use.Set(static_cast<double>(opened_ - idle_.size()));
}

ConnectionPool::Lease::Lease(ConnectionPool& pool, std::unique_ptr<pqxx::connection> connection,
                             std::string search_path)
    : pool_(&pool), connection_(std::move(connection)), search_path_(std::move(search_path)) {}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_),
      connection_(std::move(other.connection_)),
      search_path_(std::move(other.search_path_)) {
    other.pool_ = nullptr;
}

ConnectionPool::Lease::~Lease() {
    if (pool_ != nullptr) pool_->release(std::move(connection_), std::move(search_path_));
}

}  // namespace cc::pg
