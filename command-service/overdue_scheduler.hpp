#pragma once
// The overdue scheduler: issued invoices whose due date has passed become
// overdue without a client asking. It sweeps once at start-up (so that
// invoices that fell due while the service was down catch up) and then
// every interval; each step goes through CommandBus::execute like a
// client's command, decided against the version the sweep saw, so an
// invoice is marked once: a second sweep, a restart or a concurrent payment
// finds it moved on and appends nothing.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

#include "command-service/command_bus.hpp"

namespace cc::command {

// One sweep at `now`: how many invoices it marked overdue.
std::size_t mark_overdue_invoices(CommandBus& bus, const Timestamp& now);

class OverdueScheduler {
  public:
    // An interval of zero or less starts nothing.
    OverdueScheduler(CommandBus& bus, std::chrono::milliseconds interval);
    ~OverdueScheduler();
    OverdueScheduler(const OverdueScheduler&) = delete;
    OverdueScheduler& operator=(const OverdueScheduler&) = delete;

  private:
    std::mutex mutex_;
    std::condition_variable_any wake_;
    std::jthread thread_;
};

}  // namespace cc::command
