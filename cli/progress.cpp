#include "cli/progress.hpp"

#include <unistd.h>

#include <cmath>

namespace cc::cli {

using Clock = std::chrono::steady_clock;

Progress::Progress(std::FILE* out, std::size_t total, bool force_plain)
    : out_(out),
      terminal_(!force_plain && ::isatty(::fileno(out)) == 1),
      total_(total),
      started_(Clock::now()),
      stage_started_(started_),
      drawn_(started_),
      plain_drawn_(started_) {}

double Progress::seconds() const {
    return std::chrono::duration<double>(Clock::now() - started_).count();
}

void Progress::stage(const std::string& name, std::size_t steps) {
    std::lock_guard lock(mutex_);
    end_stage();
    stage_ = name;
    stage_steps_ = steps;
    stage_done_ = 0;
    stage_started_ = Clock::now();
    if (!terminal_) {
        std::fprintf(out_, "%s: %zu to do (%s)\n", name.c_str(), steps, line().c_str());
        std::fflush(out_);
    } else {
        draw(false);
    }
}

void Progress::advance(std::size_t done) {
    std::lock_guard lock(mutex_);
    done_ += done;
    stage_done_ += done;
    if (Clock::now() - drawn_ >= std::chrono::milliseconds(100)) draw(false);
}

void Progress::update(std::size_t done, std::size_t total) {
    std::lock_guard lock(mutex_);
    done_ = done;
    total_ = total;
    if (Clock::now() - drawn_ >= std::chrono::milliseconds(100)) draw(false);
}

void Progress::finish() {
    std::lock_guard lock(mutex_);
    end_stage();
    draw(true);
}

void Progress::end_stage() {
    if (terminal_ || stage_.empty()) return;
    std::fprintf(out_, "%s: %zu done in %.1f s\n", stage_.c_str(), stage_done_,
                 std::chrono::duration<double>(Clock::now() - stage_started_).count());
}

std::string Progress::line() const {
    const double elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
    const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0;
    char text[160];
    if (rate > 0 && done_ < total_) {
        std::snprintf(text, sizeof text, "%zu/%zu  %.0f/s  ETA %.0fs", done_, total_, rate,
                      std::ceil(static_cast<double>(total_ - done_) / rate));
    } else {
        std::snprintf(text, sizeof text, "%zu/%zu  %.0f/s", done_, total_, rate);
    }
    return text;
}

void Progress::draw(bool final) {
    drawn_ = Clock::now();
    if (!terminal_) {
        // Plain output: a line every ten seconds, and one at the end.
        if (final || drawn_ - plain_drawn_ >= std::chrono::seconds(10)) {
            plain_drawn_ = drawn_;
            std::fprintf(out_, "%s\n", line().c_str());
            std::fflush(out_);
        }
        return;
    }
    constexpr std::size_t kWidth = 30;
    const std::size_t filled = total_ == 0 ? kWidth : kWidth * done_ / total_;
    std::string bar(filled, '#');
    bar.resize(kWidth, '-');
    std::fprintf(out_, "\r\033[2K[%s] %s  %s", bar.c_str(), line().c_str(), stage_.c_str());
    if (final) std::fputc('\n', out_);
    std::fflush(out_);
}

}  // namespace cc::cli
