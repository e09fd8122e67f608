#include "query-service/audit/access_recorder.hpp"

#include <map>

#include "platform/observability/logger.hpp"

namespace cc::query {
namespace {

Error stopping() {
    return Error::make(ErrorKind::unavailable, "shutting-down",
                       "the service is stopping; retry shortly");
}

}  // namespace

AccessRecorder::AccessRecorder(OpenWriter open, std::size_t most_per_append)
    : open_(std::move(open)), most_per_append_(most_per_append), thread_([this] { run(); }) {}

AccessRecorder::~AccessRecorder() {
    stop();
}

void AccessRecorder::stop() {
    std::deque<Pending> left;
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
        left.swap(pending_);
    }
    arrived_.notify_all();
    for (auto& pending : left) pending.done(stopping());
    if (thread_.joinable()) thread_.join();
}

void AccessRecorder::record(const events::access::Fact& fact, Done done) {
    Pending pending{events::access::to_record(fact), std::move(done)};
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            pending_.push_back(std::move(pending));
            arrived_.notify_one();
            return;
        }
    }
    pending.done(stopping());
}

void AccessRecorder::run() {
    std::unique_lock lock(mutex_);
    while (true) {
        arrived_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
        if (stopping_) return;
        std::vector<Pending> batch;
        while (!pending_.empty() && batch.size() < most_per_append_) {
            batch.push_back(std::move(pending_.front()));
            pending_.pop_front();
        }
        lock.unlock();
        const auto outcome = append(batch);
        for (auto& pending : batch) pending.done(outcome);
        lock.lock();
    }
}

Status AccessRecorder::append(const std::vector<Pending>& batch) {
    const auto failed = [](const std::string& detail) {
        obs::warn("cannot append access records", {{"error", detail}});
        return Error::make(ErrorKind::unavailable, "access-log-unavailable",
                           "the access record of this read cannot be written; retry shortly");
    };
    if (!writer_) {
        try {
            writer_ = open_();
        } catch (const std::exception& e) {
            return failed(e.what());
        }
    }
    std::map<int, std::vector<eventlog::OutgoingRecord>> by_partition;
    for (const auto& pending : batch) {
        by_partition[eventlog::partition_for(pending.record.key, writer_->partition_count())]
            .push_back(pending.record);
    }
    std::vector<eventlog::PartitionRecords> parts;
    for (const auto& [partition, records] : by_partition) parts.push_back({partition, records});
    auto appended = writer_->append_all(parts);
    if (!appended) return failed(appended.error().detail);
    return {};
}

}  // namespace cc::query
