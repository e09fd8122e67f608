// How fast the command service folds its log into the write model: N
// envelopes made by the real deciders (bench/synthetic_log), serialised as
// the bus writes them, parsed and folded as catch-up does, without the log's
// own I/O. Prints events per second (best of 3 folds).
//   build/bench/bench_fold [N]      (default 200000)
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "bench/synthetic_log.hpp"
#include "command-service/fold.hpp"

int main(int argc, char** argv) {
    using namespace cc;
    const std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 200000;
    const auto log = bench::synthetic_log(n);
    std::size_t bytes = 0;
    for (const auto& record : log) bytes += record.value.size();
    // CPU time of this thread as well as wall time: on a machine shared with
    // other work the wall clock measures the neighbours too.
    const auto cpu_now = [] {
        timespec t{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
    };
    double best = 1e30;
    double best_cpu = 1e30;
    for (int round = 0; round < 3; ++round) {
        auto model = std::make_unique<command::WriteModel>();
        command::LogFolder folder(*model);
        const auto start = std::chrono::steady_clock::now();
        const auto cpu_start = cpu_now();
        for (const auto& record : log) {
            if (auto status = folder.fold(record); !status) {
                std::fprintf(stderr, "fold failed: %s\n", status.error().detail.c_str());
                return 1;
            }
        }
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        best = std::min(best, took.count());
        best_cpu = std::min(best_cpu, cpu_now() - cpu_start);
        if (round == 0 && folder.slow() > 0) {
            std::printf("  (%zu of %zu records read by the slow path)\n", folder.slow(),
                        log.size());
        }
    }
    const auto events = static_cast<double>(log.size());
    std::printf("fold: %zu events (%.0f bytes each on average), best of 3\n", log.size(),
                static_cast<double>(bytes) / events);
    std::printf("  wall %.3f s: %.0f events/s; cpu %.3f s: %.0f events/s\n", best, events / best,
                best_cpu, events / best_cpu);
    return 0;
}
