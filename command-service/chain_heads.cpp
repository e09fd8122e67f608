#include "command-service/chain_heads.hpp"

#include <pqxx/pqxx>

#include "events/audit_events.hpp"
#include "platform/observability/logger.hpp"

namespace cc::command {

std::vector<ChainHead> heads_to_publish(std::span<const ChainHead> heads,
                                        const PublishedHeads& published) {
    std::vector<ChainHead> out;
    for (const auto& head : heads) {
        if (head.action == events::audit::kChainHeadRecorded) continue;
        const auto it = published.find({head.tenant, head.stream});
        if (it != published.end() && it->second >= head.seq) continue;
        out.push_back(head);
    }
    return out;
}

domain::Decision chain_head_decision(const ChainHead& head) {
    const auto id = Uuid::random_v4();
    return domain::Decision{
        {domain::PendingEvent{
            std::string(events::audit::kChainHeadRecorded),
            std::string(events::audit::kChainAggregate),
            id,
            1,
            head.tenant,
            {{"stream", head.stream}, {"seq", head.seq}, {"row_hash", head.row_hash}}}},
        id,
        1};
}

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
        // The last link of each chain, by the (tenant_id, stream, seq) index.
        for (const auto& row : tx.exec(
                 "SELECT DISTINCT ON (c.tenant_id, c.stream) c.tenant_id::text, c.stream, c.seq, "
                 "c.row_hash, a.action FROM audit_chain c JOIN audit_logs a ON a.id = "
                 "c.audit_log_id ORDER BY c.tenant_id, c.stream, c.seq DESC")) {
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
        auto outcome = bus_.record_by_server(context, head.tenant,
                                             [&](const WriteModel&) -> Result<domain::Decision> {
                                                 return chain_head_decision(head);
                                             });
        if (!outcome) return std::move(outcome).error();
        published_[{head.tenant, head.stream}] = head.seq;
        ++recorded;
    }
    if (recorded > 0) obs::info("audit chain heads published", {{"count", recorded}});
    return recorded;
}

}  // namespace cc::command
