// Command-service start-up with and without a write-model snapshot: N
// envelopes made by the real deciders (bench/synthetic_log), then
//   full fold:           every record parsed and folded, as with no snapshot;
//   snapshot + tail:     the newest snapshot read from disk and decoded
//                        (snapshot::load_newest, as main() does), then the
//                        records after its position folded.
// The snapshot is taken `tail` records before the end. Both exclude reading
// the log itself (PostgreSQL or Kafka), which the tail makes small too.
//   build/bench/bench_startup [N] [tail]      (default 1000000 10000)
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "bench/synthetic_log.hpp"
#include "command-service/fold.hpp"
#include "command-service/snapshot.hpp"
#include "platform/observability/logger.hpp"

namespace {

using namespace cc;

struct Clock {
    std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
    double cpu = now_cpu();
    static double now_cpu() {
        timespec t{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
    }
    void print(const char* what) const {
        const std::chrono::duration<double> wall_s = std::chrono::steady_clock::now() - wall;
        std::printf("  %-34s wall %7.3f s   cpu %7.3f s\n", what, wall_s.count(), now_cpu() - cpu);
    }
};

void fold(command::WriteModel& model, const std::vector<eventlog::LogRecord>& log,
          std::span<const std::int64_t> from) {
    command::LogFolder folder(model);
    for (const auto& record : log) {
        if (record.offset < from[static_cast<std::size_t>(record.partition)]) continue;
        if (auto status = folder.fold(record); !status) {
            std::fprintf(stderr, "fold failed: %s\n", status.error().detail.c_str());
            std::exit(1);
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    namespace snapshot = cc::command::snapshot;
    const std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1'000'000;
    const std::size_t tail = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 10'000;
    (void)obs::configure_logging("bench_startup", "warn");
    std::printf("start-up, %zu events, snapshot %zu events before the end\n", n, tail);
    Clock generating;
    const auto log = bench::synthetic_log(n);
    generating.print("making the log (not start-up)");
    const std::vector<std::int64_t> none(8, 0);
    std::vector<std::int64_t> ends(8, 0), at_snapshot(8, 0);
    for (std::size_t i = 0; i < log.size(); ++i) {
        const auto p = static_cast<std::size_t>(log[i].partition);
        ends[p] = log[i].offset + 1;
        if (i + tail < log.size()) at_snapshot[p] = log[i].offset + 1;
    }

    auto full = std::make_unique<command::WriteModel>();
    {
        Clock clock;
        fold(*full, log, none);
        clock.print("full fold (no snapshot)");
    }

    snapshot::Config config;
    config.dir = "/tmp/cc-bench-startup-" + std::to_string(::getpid());
    config.log = snapshot::log_identity("bench");
    {
        command::WriteModel before;
        std::vector<eventlog::LogRecord> head(log.begin(), log.end() - static_cast<long>(tail));
        fold(before, head, none);
        Clock encoding;
        const auto bytes = snapshot::encode(before, at_snapshot, config.log);
        encoding.print("snapshot: encode (on the snapshot thread)");
        Clock writing;
        if (auto status = snapshot::write(config.dir, at_snapshot, bytes); !status) {
            std::fprintf(stderr, "%s\n", status.error().detail.c_str());
            return 1;
        }
        writing.print("snapshot: write, fsync, rename");
        std::printf("  snapshot size %.1f MB\n", static_cast<double>(bytes.size()) / 1e6);
    }
    std::unique_ptr<command::WriteModel> started;
    {
        Clock clock;
        auto loaded = snapshot::load_newest(config, ends);
        if (!loaded) return 1;
        clock.print("snapshot: read and decode");
        fold(*loaded->model, log, loaded->next_offsets);
        clock.print("snapshot + tail (ready)");
        started = std::move(loaded->model);
    }
    std::printf(
        "  same model as the full fold: %s\n",
        snapshot::encode(*started, ends, 0) == snapshot::encode(*full, ends, 0) ? "yes" : "NO");
    std::filesystem::remove_all(config.dir);
    return 0;
}
