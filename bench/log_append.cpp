// What one append costs by its shape: appends `records` records spread over
// `partitions` partitions, `rounds` times, through the log adapter the
// environment names (CC_LOG_BACKEND, CC_DATABASE_URL, CC_KAFKA_BOOTSTRAP,
// as the services), or through an in-process mock Kafka cluster with
// --kafka-mock. Prints the median and p99 append time per shape; asserts
// nothing.
//   bench_log_append [--kafka-mock] [--rounds 200]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "platform/config/env.hpp"
#include "platform/eventlog/factory.hpp"

int main(int argc, char** argv) {
    using namespace cc::eventlog;
    bool mock = false;
    int rounds = 200;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--kafka-mock") == 0) mock = true;
        if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) rounds = std::stoi(argv[++i]);
    }
    auto config = log_config_from_env(
        cc::config::env_or("CC_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/complexcare"));
    std::unique_ptr<KafkaMockCluster> cluster;
    if (mock) {
        cluster = std::make_unique<KafkaMockCluster>(1, "bench", 8);
        config.backend = Backend::kafka;
        config.kafka.bootstrap_servers = cluster->bootstrap_servers();
        config.kafka.topic = "bench";
        config.kafka.transactional_id = "bench-writer";
    }
    auto writer = open_writer(config);
    const std::string value(700, 'x');  // about an event envelope's size
    std::printf("%-10s %-8s %12s %12s\n", "records", "parts", "median ms", "p99 ms");
    for (const auto& [records, parts] : {std::pair{1, 1}, {16, 1}, {16, 8}, {32, 8}}) {
        std::vector<std::vector<OutgoingRecord>> groups(static_cast<std::size_t>(parts));
        for (int r = 0; r < records; ++r) {
            groups[static_cast<std::size_t>(r % parts)].push_back(
                {"key-" + std::to_string(r % parts), value, {{"event_type", "Bench"}}});
        }
        std::vector<PartitionRecords> batch;
        for (int p = 0; p < parts; ++p) batch.push_back({p, groups[static_cast<std::size_t>(p)]});
        std::vector<double> ms;
        for (int i = 0; i < rounds; ++i) {
            const auto started = std::chrono::steady_clock::now();
            auto offsets = writer->append_all(batch);
            ms.push_back(std::chrono::duration<double, std::milli>(
                             std::chrono::steady_clock::now() - started)
                             .count());
            if (!offsets) {
                std::fprintf(stderr, "append failed: %s\n", offsets.error().detail.c_str());
                return 1;
            }
        }
        std::sort(ms.begin(), ms.end());
        std::printf("%-10d %-8d %12.2f %12.2f\n", records, parts, ms[ms.size() / 2],
                    ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]);
    }
    return 0;
}
