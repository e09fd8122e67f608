#include "command-service/audit/chain_head.hpp"

#include "events/audit_events.hpp"
#include "platform/audit/chain.hpp"

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

domain::Decision chain_head_decision(const ChainHead& head,
                                     const std::function<int(const Uuid&)>& partition_of) {
    auto id = Uuid::random_v4();
    if (head.tenant == kPlatformTenant) {
        // One in `partitions` ids lands there: a handful of draws.
        if (const auto partition = audit::chain_partition(head.stream)) {
            while (partition_of(id) != *partition) id = Uuid::random_v4();
        }
    }
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

}  // namespace cc::command
