#pragma once
// Which audit chain heads the command service publishes, and the event
// that does it (pure: the publisher in chain_heads.cpp reads the heads).
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "command-service/domain/decision.hpp"

namespace cc::command {

struct ChainHead {
    TenantId tenant;
    std::string stream;
    std::int64_t seq = 0;
    std::string row_hash;
    std::string action;  // of the head's audit row
};
// The seq last published per (tenant, stream), by this process.
using PublishedHeads = std::map<std::pair<TenantId, std::string>, std::int64_t>;

// The heads worth publishing: not published yet, and not themselves the row
// of a published head (that row joins the chain it describes, so without
// this every publication would call for the next one).
std::vector<ChainHead> heads_to_publish(std::span<const ChainHead> heads,
                                        const PublishedHeads& published);

// The AuditChainHeadRecorded event of one head, as the bus appends it. It
// lands in the partition whose rows make the chain, so that its own audit
// row joins the chain it describes (and heads_to_publish knows it for what
// it is): a tenant's chain by the tenant id, the key of all its events; a
// platform chain ("changes.p3", keyed by aggregate) by an aggregate id drawn
// until `partition_of` puts it in that partition.
domain::Decision chain_head_decision(const ChainHead& head,
                                     const std::function<int(const Uuid&)>& partition_of);

}  // namespace cc::command
