#include "query-service/position_waits.hpp"

#include <algorithm>

namespace cc::query {

bool PositionWaits::reached(const eventlog::Position& position) const {
    const auto it = applied_.find(position.partition);
    return it != applied_.end() && it->second > position.offset;
}

Admission PositionWaits::add(const eventlog::Position& position, const std::string& caller,
                             Clock::time_point deadline, Done done) {
    if (waits_.size() >= limits_.total) return Admission::total_limit;
    const auto held = per_caller_.find(caller);
    if ((held == per_caller_.end() ? 0 : held->second) >= limits_.per_caller) {
        return Admission::caller_limit;
    }
    ++per_caller_[caller];
    waits_.push_back(Wait{position, caller, deadline, std::move(done)});
    return Admission::admitted;
}

std::vector<PositionWaits::Ended> PositionWaits::advance(
    const std::map<int, std::int64_t>& next_offsets) {
    for (const auto& [partition, next] : next_offsets) {
        auto& applied = applied_[partition];
        applied = std::max(applied, next);
    }
    return remove_if([this](const Wait& wait) -> std::optional<WaitOutcome> {
        if (reached(wait.position)) return WaitOutcome::reached;
        return std::nullopt;
    });
}

std::vector<PositionWaits::Ended> PositionWaits::expire(Clock::time_point now) {
    return remove_if([now](const Wait& wait) -> std::optional<WaitOutcome> {
        if (wait.deadline <= now) return WaitOutcome::timed_out;
        return std::nullopt;
    });
}

std::vector<PositionWaits::Ended> PositionWaits::end_all(WaitOutcome outcome) {
    return remove_if([outcome](const Wait&) { return std::optional(outcome); });
}

std::vector<PositionWaits::Ended> PositionWaits::remove_if(
    const std::function<std::optional<WaitOutcome>(const Wait&)>& ends) {
    std::vector<Ended> ended;
    std::erase_if(waits_, [&](Wait& wait) {
        const auto outcome = ends(wait);
        if (!outcome) return false;
        if (auto it = per_caller_.find(wait.caller); it != per_caller_.end() && --it->second == 0) {
            per_caller_.erase(it);
        }
        ended.push_back(Ended{std::move(wait.done), *outcome});
        return true;
    });
    return ended;
}

}  // namespace cc::query
