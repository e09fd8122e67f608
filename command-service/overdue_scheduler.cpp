#include "command-service/overdue_scheduler.hpp"

#include "command-service/aggregate/invoice_rules.hpp"
#include "platform/observability/logger.hpp"

namespace cc::command {

std::size_t mark_overdue_invoices(CommandBus& bus, const Timestamp& now) {
    const auto steps =
        bus.read([&](const WriteModel& model) { return aggregate::overdue_steps(model, now); });
    std::size_t marked = 0;
    for (const auto& step : steps) {
        RequestContext context;
        context.by_server = true;
        context.request.user_agent = "complexcare command-service (overdue scheduler)";
        context.request.request_id = "overdue-" + Uuid::random_v4().to_string();
        // Names the one step this is: the invoice at the version it was due at.
        context.request.idempotency_key =
            "overdue:" + step.target.id.to_string() + ":" + std::to_string(*step.expected_version);
        auto outcome = bus.execute(step, context);
        if (outcome) {
            ++marked;
            continue;
        }
        // The invoice (or its tenant) moved on since the sweep read it:
        // paid, voided, deleted. Only an unavailable log ends the sweep;
        // the next one tries again.
        if (outcome.error().kind != ErrorKind::unavailable &&
            outcome.error().kind != ErrorKind::internal) {
            obs::debug("invoice not marked overdue", {{"invoice_id", step.target.id.to_string()},
                                                      {"error", outcome.error().detail}});
            continue;
        }
        obs::warn("overdue sweep stopped",
                  {{"invoice_id", step.target.id.to_string()}, {"error", outcome.error().detail}});
        break;
    }
    if (marked > 0) obs::info("invoices became overdue", {{"count", marked}});
    return marked;
}

OverdueScheduler::OverdueScheduler(CommandBus& bus, std::chrono::milliseconds interval) {
    if (interval.count() <= 0) return;
    thread_ = std::jthread([this, &bus, interval](std::stop_token stop) {
        while (!stop.stop_requested()) {
            mark_overdue_invoices(bus, Timestamp::now());
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, stop, interval, [] { return false; });
        }
    });
}

OverdueScheduler::~OverdueScheduler() {
    if (thread_.joinable()) {
        thread_.request_stop();
        thread_.join();
    }
}

}  // namespace cc::command
