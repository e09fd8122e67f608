#pragma once
// Folding the log into the write model: what start-up spends its time on.
// The fold reads each envelope with simdjson's on-demand API straight into
// what the write model keeps (no JSON tree, no Envelope), and falls back to
// events::parse_envelope for anything it does not expect, so the two agree
// about what an envelope means and whether it is readable. Two differences
// remain, neither of which the bus ever writes: a key repeated inside the
// payload or request (parse_envelope refuses the record; the fast path takes
// the last) and text after the envelope's closing brace (ignored here).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "command-service/write_model.hpp"
#include "platform/eventlog/event_log.hpp"

namespace cc::command {

class LogFolder {
  public:
    explicit LogFolder(WriteModel& model) : model_(&model) {}

    // Folds one record of the log in; an error (nothing folded) when the
    // record is not an envelope this version can read.
    Status fold(const eventlog::LogRecord& record);
    // Records read by the fast path and by the fallback, for the benchmark.
    std::size_t fast() const { return fast_; }
    std::size_t slow() const { return slow_; }

  private:
    // False when the fast path cannot read the record; nothing is folded then.
    bool fold_fast(const eventlog::LogRecord& record);

    WriteModel* model_;
    simdjson::ondemand::parser parser_;
    std::string buffer_;
    std::vector<std::optional<std::string_view>> values_;
    std::size_t fast_ = 0;
    std::size_t slow_ = 0;
};

}  // namespace cc::command
