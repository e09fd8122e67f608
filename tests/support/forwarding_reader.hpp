#pragma once
// A LogReader that hands every call to another one: a test or a benchmark
// overrides what it watches or breaks (usually poll) and keeps the rest.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "platform/eventlog/event_log.hpp"

namespace cc::testing {

class ForwardingReader : public eventlog::LogReader {
  public:
    explicit ForwardingReader(std::unique_ptr<eventlog::LogReader> inner)
        : inner_(std::move(inner)) {}

    Result<std::vector<eventlog::LogRecord>> poll(std::size_t max_records,
                                                  std::chrono::milliseconds timeout) override {
        return inner_->poll(max_records, timeout);
    }
    void seek(int partition, std::int64_t offset) override { inner_->seek(partition, offset); }
    std::vector<int> owned_partitions() const override { return inner_->owned_partitions(); }
    std::map<int, std::int64_t> positions() override { return inner_->positions(); }
    int partition_count() const override { return inner_->partition_count(); }
    Result<std::vector<std::int64_t>> end_offsets() override { return inner_->end_offsets(); }

  private:
    std::unique_ptr<eventlog::LogReader> inner_;
};

}  // namespace cc::testing
