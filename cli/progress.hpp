#pragma once
// Progress of a long operator command: a redrawn bar on a terminal
// ("[#####-----] 1,234/5,000  410/s  ETA 9s"), plain lines otherwise (a log
// file or CI), so a pipe never fills with carriage returns.
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <mutex>
#include <string>

namespace cc::cli {

class Progress {
  public:
    // `out` is a terminal when isatty() says so, unless `force_plain`.
    Progress(std::FILE* out, std::size_t total, bool force_plain = false);

    // Starts a named stage (a phase of the seed); plain output prints it.
    void stage(const std::string& name, std::size_t steps);
    // Thread-safe; redraws at most ten times a second.
    void advance(std::size_t done = 1);
    // Sets how much is done of how much (work that grows while it is done:
    // a log that takes events during a rebuild).
    void update(std::size_t done, std::size_t total);
    // Ends the bar with a newline (terminal) or a last line (plain).
    void finish();

    std::size_t done() const { return done_; }
    double seconds() const;

  private:
    void draw(bool final);
    void end_stage();  // plain output: the stage's closing line
    std::string line() const;

    std::FILE* out_;
    bool terminal_;
    std::size_t total_;
    std::size_t done_ = 0;
    std::size_t stage_done_ = 0, stage_steps_ = 0;
    std::string stage_;
    std::chrono::steady_clock::time_point started_, stage_started_, drawn_, plain_drawn_;
    std::mutex mutex_;
};

}  // namespace cc::cli
