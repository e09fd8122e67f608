#pragma once
// A LogWriter decorator that publishes what every append costs, whatever the
// adapter: eventlog_append_duration_seconds{outcome} and
// eventlog_append_records{outcome} (records per append: the batch size),
// outcome "ok", "fenced" or "failed".
#include <memory>

#include "platform/eventlog/event_log.hpp"

namespace cc::eventlog {

std::unique_ptr<LogWriter> with_metrics(std::unique_ptr<LogWriter> writer);

}  // namespace cc::eventlog
