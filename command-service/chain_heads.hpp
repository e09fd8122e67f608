#pragma once
// Publishes the audit trail's chain heads to the log: every interval it
// reads each (tenant, stream) chain's last link from audit_chain and records
// the ones that moved as AuditChainHeadRecorded events, through the same
// append path as any command. A trail rewritten in the database alone then
// no longer matches what the log says its heads were
// (`complexcare audit verify --against-log`).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "command-service/command_bus.hpp"

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

// The head event of one chain, as the bus appends it.
domain::Decision chain_head_decision(const ChainHead& head);

class ChainHeadPublisher {
  public:
    // An interval of zero or less starts nothing.
    ChainHeadPublisher(CommandBus& bus, std::string database_url,
                       std::chrono::milliseconds interval);
    ~ChainHeadPublisher();
    ChainHeadPublisher(const ChainHeadPublisher&) = delete;
    ChainHeadPublisher& operator=(const ChainHeadPublisher&) = delete;

    // One round: reads the heads and publishes those that moved; how many.
    Result<std::size_t> publish_once();

  private:
    CommandBus& bus_;
    std::string database_url_;
    PublishedHeads published_;
    std::mutex mutex_;
    std::condition_variable_any wake_;
    std::jthread thread_;
};

}  // namespace cc::command
