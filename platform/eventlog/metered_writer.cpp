#include "platform/eventlog/metered_writer.hpp"

#include <chrono>
#include <string>

#include "platform/observability/metrics.hpp"

namespace cc::eventlog {
namespace {

struct AppendMetrics {
    prometheus::Family<prometheus::Histogram>& duration;
    prometheus::Family<prometheus::Histogram>& records;

    static AppendMetrics& get() {
        static AppendMetrics metrics{
            prometheus::BuildHistogram()
                .Name("eventlog_append_duration_seconds")
                .Help("Time to append a batch of records durably to the event log")
                .Register(obs::metrics_registry()),
            prometheus::BuildHistogram()
                .Name("eventlog_append_records")
                .Help("Records per append (the batch size)")
                .Register(obs::metrics_registry()),
        };
        return metrics;
    }

    void record(const std::string& outcome, double seconds, std::size_t count) {
        duration
            .Add({{"outcome", outcome}},
                 prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                         0.05, 0.1, 0.25, 0.5, 1, 5})
            .Observe(seconds);
        records
            .Add({{"outcome", outcome}},
                 prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64, 128, 256, 512})
            .Observe(static_cast<double>(count));
    }
};

class MeteredWriter final : public LogWriter {
  public:
    explicit MeteredWriter(std::unique_ptr<LogWriter> inner) : inner_(std::move(inner)) {}

    int partition_count() const override { return inner_->partition_count(); }

    Result<std::vector<std::vector<std::int64_t>>> append_all(
        std::span<const PartitionRecords> parts) override {
        const auto started = std::chrono::steady_clock::now();
        auto offsets = inner_->append_all(parts);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const char* outcome = offsets                                   ? "ok"
                              : offsets.error().type == "writer-fenced" ? "fenced"
                                                                        : "failed";
        std::size_t records = 0;
        for (const auto& part : parts) records += part.records.size();
        AppendMetrics::get().record(outcome, seconds, records);
        return offsets;
    }

  private:
    std::unique_ptr<LogWriter> inner_;
};

}  // namespace

std::unique_ptr<LogWriter> with_metrics(std::unique_ptr<LogWriter> writer) {
    return std::make_unique<MeteredWriter>(std::move(writer));
}

}  // namespace cc::eventlog
