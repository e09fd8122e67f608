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
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty() || opened_ < size_; });
    if (!idle_.empty()) {
        auto connection = std::move(idle_.back());
        idle_.pop_back();
        publish_locked();
        waited();
        return Lease(*this, std::move(connection));
    }
    ++opened_;
    publish_locked();
    lock.unlock();
    try {
        Lease lease(*this, std::make_unique<pqxx::connection>(conninfo_));
        waited();
        return lease;
    } catch (...) {
        lock.lock();
        --opened_;
        publish_locked();
        available_.notify_one();
        throw;
    }
}

void ConnectionPool::release(std::unique_ptr<pqxx::connection> connection) {
    std::lock_guard lock(mutex_);
    if (connection && connection->is_open()) {
        idle_.push_back(std::move(connection));
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

ConnectionPool::Lease::Lease(ConnectionPool& pool, std::unique_ptr<pqxx::connection> connection)
    : pool_(&pool), connection_(std::move(connection)) {}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), connection_(std::move(other.connection_)) {
    other.pool_ = nullptr;
}

ConnectionPool::Lease::~Lease() {
    if (pool_ != nullptr) pool_->release(std::move(connection_));
}

}  // namespace cc::pg
