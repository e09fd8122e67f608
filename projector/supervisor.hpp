#pragma once
// The projector process's two workers (DESIGN.md, "Read side"):
//  - the live worker applies the log to the current generation, with the
//    group's share of the partitions; when readers switch to another
//    generation it goes on there, from that generation's checkpoints;
//  - the builder replays the whole log into a generation being built
//    (`complexcare rebuild`, `complexcare replay --as-of`), claimed by one
//    projector at a time and resumed from its checkpoints after a crash.
//    A rebuild that has reached the log switches readers to it once it has
//    every event the current generation has; an as-of one stops at its cut
//    and becomes ready once the access stream's builder has reached the
//    same cut, never current.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "platform/eventlog/factory.hpp"
#include "platform/generations/store.hpp"
#include "projector/projector.hpp"

namespace cc::projector {

struct SupervisorOptions {
    std::string database_url;
    eventlog::LogConfig log;
    std::string projection = "main";
    std::string group = "complexcare-projector";
    std::size_t batch_size = 2000;
    std::size_t workers = 2;  // ProjectorOptions::workers
    // The access stream's supervisor (`log` names that stream): it projects
    // into the current generation and builds every generation being built,
    // from the stream's own checkpoints. The domain log's supervisor alone
    // switches readers to a rebuild (the access rows a switch finds missing
    // follow from the checkpoints); an as-of generation is cut in both
    // streams at the same time and becomes ready once both builders have
    // reached the cut (generations::reach_cut).
    bool access_stream = false;
    std::chrono::milliseconds gather{0};  // ProjectorOptions::gather
};

class Supervisor {
  public:
    explicit Supervisor(SupervisorOptions options);

    // The live worker on this thread, the builder on another, until `stop`.
    void run(const std::atomic<bool>& stop);
    bool ready() const;

  private:
    void run_live(const std::atomic<bool>& stop);
    void run_builder(const std::atomic<bool>& stop);
    // Replays into `generation` until it is caught up, left or `stop`.
    void build(const generations::Generation& generation, const std::atomic<bool>& stop);
    // Readers move from the current generation to `generation`: under the
    // current one's guard (no live batch runs meanwhile), `generation` is
    // brought to every checkpoint of the current one, then both change
    // state in one transaction. False if it could not (yet).
    bool switch_to(const generations::Generation& generation, Projector& projector,
                   eventlog::LogReader& reader, const std::atomic<bool>& stop);
    ProjectorOptions options_for(const generations::Generation& generation, bool builder) const;
    generations::AsOfStream stream() const {
        return options_.access_stream ? generations::AsOfStream::access
                                      : generations::AsOfStream::changes;
    }

    SupervisorOptions options_;
    mutable std::mutex live_mutex_;
    std::shared_ptr<Projector> live_;
};

}  // namespace cc::projector
