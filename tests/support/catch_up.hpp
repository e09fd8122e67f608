#pragma once
// Runs a projector in-process until every partition's checkpoint has
// reached the log's end: the signal integration tests wait for.
#include <chrono>
#include <string>

#include "platform/eventlog/event_log.hpp"
#include "projector/projector.hpp"

namespace cc::testing {

// "" once caught up; otherwise where each partition stands
// ("p0=3/10 ...") or the error that stopped a round. The deadline only
// guards against a hang.
inline std::string catch_up(projector::Projector& p, eventlog::LogReader& reader,
                            std::chrono::seconds deadline = std::chrono::seconds(60)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    std::string where;
    while (std::chrono::steady_clock::now() < until) {
        if (auto round = p.run_once(reader, std::chrono::milliseconds(50)); !round)
            return "a round failed: " + round.error().detail;
        auto ends = reader.end_offsets();
        if (!ends) return "end offsets: " + ends.error().detail;
        bool done = true;
        where.clear();
        for (std::size_t i = 0; i < ends->size(); ++i) {
            const auto at = p.checkpoint(static_cast<int>(i));
            done = done && at >= (*ends)[i];
            where += " p" + std::to_string(i) + "=" + std::to_string(at) + "/" +
                     std::to_string((*ends)[i]);
        }
        if (done) return "";
    }
    return "projector did not catch up:" + where;
}

}  // namespace cc::testing
