#include "command-service/chain_heads.hpp"

#include <pqxx/pqxx>

#include "platform/eventlog/event_log.hpp"
#include "platform/generations/store.hpp"
#include "platform/observability/logger.hpp"

namespace cc::command {
namespace {

// Each chain's last link, by the (tenant_id, stream, seq) index: the
// chains found by skipping from one to the next (a few lookups per chain,
// never the whole table), then each one's highest seq.
constexpr const char* kHeadsSql =
    "WITH RECURSIVE chains AS ("
    " (SELECT tenant_id, stream FROM audit_chain ORDER BY tenant_id, stream LIMIT 1)"
    " UNION ALL"
    " SELECT n.tenant_id, n.stream FROM chains k, LATERAL (SELECT c.tenant_id, c.stream"
    " FROM audit_chain c WHERE (c.tenant_id, c.stream) > (k.tenant_id, k.stream)"
    " ORDER BY c.tenant_id, c.stream LIMIT 1) n)"
    " SELECT k.tenant_id::text, k.stream, h.seq, h.row_hash, a.action FROM chains k"
    " JOIN LATERAL (SELECT c.seq, c.row_hash, c.audit_log_id FROM audit_chain c"
    " WHERE c.tenant_id = k.tenant_id AND c.stream = k.stream ORDER BY c.seq DESC LIMIT 1) h"
    " ON true JOIN audit_logs a ON a.id = h.audit_log_id";

}  // namespace

ChainHeadPublisher::ChainHeadPublisher(CommandBus& bus, std::string database_url,
                                       std::chrono::milliseconds interval)
    : bus_(bus), database_url_(std::move(database_url)) {
    if (interval.count() <= 0) return;
    thread_ = std::jthread([this, interval](std::stop_token stop) {
        while (!stop.stop_requested()) {
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, stop, interval, [] { return false; });
            if (stop.stop_requested()) break;
            lock.unlock();
            if (auto published = publish_once(); !published) {
                obs::warn("chain heads not published; next round tries again",
                          {{"error", published.error().detail}});
            }
        }
    });
}

ChainHeadPublisher::~ChainHeadPublisher() {
    if (thread_.joinable()) {
        thread_.request_stop();
        thread_.join();
    }
}

Result<std::size_t> ChainHeadPublisher::publish_once() {
    std::vector<ChainHead> heads;
    try {
        pqxx::connection database(database_url_);
        pqxx::read_transaction tx(database);
        generations::use_current(tx);
        // The last link of each chain, by the (tenant_id, stream, seq) index.
        for (const auto& row : tx.exec(kHeadsSql)) {
            const auto tenant = TenantId::parse(row[0].as<std::string>());
            if (!tenant) continue;
            heads.push_back(ChainHead{*tenant, row[1].as<std::string>(), row[2].as<std::int64_t>(),
                                      row[3].as<std::string>(), row[4].as<std::string>()});
        }
    } catch (const std::exception& e) {
        return Error::make(ErrorKind::unavailable, "database", e.what());
    }
    std::size_t recorded = 0;
    for (const auto& head : heads_to_publish(heads, published_)) {
        RequestContext context;
        context.by_server = true;
        context.request.user_agent = "complexcare command-service (audit chain heads)";
        context.request.request_id = "chain-head-" + Uuid::random_v4().to_string();
        context.request.idempotency_key = "chain-head:" + head.tenant.to_string() + ":" +
                                          head.stream + ":" + std::to_string(head.seq);
        auto outcome = bus_.record_by_server(
            context, head.tenant, [&](const WriteModel&) -> Result<domain::Decision> {
                return chain_head_decision(head, [&](const Uuid& id) {
                    return eventlog::partition_for(id.to_string(), bus_.partition_count());
                });
            });
        if (!outcome) return std::move(outcome).error();
        published_[{head.tenant, head.stream}] = head.seq;
        ++recorded;
    }
    if (recorded > 0) obs::info("audit chain heads published", {{"count", recorded}});
    return recorded;
}

}  // namespace cc::command
