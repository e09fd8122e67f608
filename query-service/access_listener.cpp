#include "query-service/access_listener.hpp"

#include <prometheus/counter.h>

#include <chrono>
#include <pqxx/pqxx>

#include "platform/observability/logger.hpp"
#include "platform/observability/metrics.hpp"

namespace cc::query {
namespace {

constexpr const char* kChannel = "cc_access";

prometheus::Counter& invalidations_counter() {
    static auto& counter = prometheus::BuildCounter()
                               .Name("query_access_cache_invalidations_total")
                               .Help(
                                   "Times the access cache was emptied: a user, membership, "
                                   "tenant or feature changed, or the listener (re)connected")
                               .Register(obs::metrics_registry())
                               .Add({});
    return counter;
}

class Receiver final : public pqxx::notification_receiver {
  public:
    Receiver(pqxx::connection_base& connection, AccessCache& cache)
        : pqxx::notification_receiver(connection, kChannel), cache_(cache) {}
    void operator()(const std::string&, int) override {
        cache_.invalidate();
        invalidations_counter().Increment();
    }

  private:
    AccessCache& cache_;
};

}  // namespace

AccessListener::AccessListener(std::string conninfo, AccessCache& cache)
    : conninfo_(std::move(conninfo)), cache_(cache) {
    invalidations_counter();
    thread_ = std::thread([this] { run(); });
}

AccessListener::~AccessListener() {
    stopping_ = true;
    thread_.join();
}

void AccessListener::run() {
    auto retry = std::chrono::milliseconds(100);
    while (!stopping_) {
        try {
            pqxx::connection connection(conninfo_);
            Receiver receiver(connection, cache_);
            // LISTEN runs when the receiver is made; a notice can only be
            // missed before this point, and the cache starts empty here.
            connection.get_notifs();
            cache_.set_listening(true);
            invalidations_counter().Increment();
            retry = std::chrono::milliseconds(100);
            // A query now and then: a connection lost without a word would
            // otherwise leave the cache serving with nobody listening.
            auto checked = std::chrono::steady_clock::now();
            while (!stopping_) {
                connection.await_notification(0, 200'000);
                if (std::chrono::steady_clock::now() - checked > std::chrono::seconds(2)) {
                    pqxx::nontransaction(connection).exec("SELECT 1");
                    checked = std::chrono::steady_clock::now();
                }
            }
            cache_.set_listening(false);
        } catch (const std::exception& e) {
            cache_.set_listening(false);
            obs::warn(
                "access cache off: cannot hear changes",
                {{"error", e.what()}, {"retry_ms", static_cast<std::int64_t>(retry.count())}});
            for (auto waited = std::chrono::milliseconds(0); waited < retry && !stopping_;
                 waited += std::chrono::milliseconds(50)) {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            retry = std::min(retry * 2, std::chrono::milliseconds(5000));
        }
    }
}

}  // namespace cc::query
