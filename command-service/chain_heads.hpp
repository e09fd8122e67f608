#pragma once
// Publishes the audit trail's chain heads to the log: every interval it
// reads each (tenant, stream) chain's last link from audit_chain and records
// the ones that moved as AuditChainHeadRecorded events, through the same
// append path as any command. A trail rewritten in the database alone then
// no longer matches what the log says its heads were
// (`complexcare audit verify --against-log`).
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "command-service/audit/chain_head.hpp"
#include "command-service/command_bus.hpp"

namespace cc::command {

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
