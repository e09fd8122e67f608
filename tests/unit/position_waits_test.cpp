// Read-your-writes waits without I/O: who is answered when the projector's
// checkpoints move, who times out, and the per-caller and total limits.
#include "query-service/position_waits.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace cc::query {
namespace {

using Clock = PositionWaits::Clock;
using eventlog::Position;

struct Recorder {
    std::vector<std::pair<int, WaitOutcome>> ended;
    PositionWaits::Done done(int id) {
        return [this, id](WaitOutcome outcome) { ended.emplace_back(id, outcome); };
    }
};

void run(const std::vector<PositionWaits::Ended>& ended) {
    for (const auto& end : ended) end();
}

const Clock::time_point kNow = Clock::time_point{} + std::chrono::hours(1);
const Clock::time_point kLater = kNow + std::chrono::seconds(3);

TEST(PositionWaits, APositionIsReachedOnceTheNextOffsetIsPastIt) {
    PositionWaits waits({});
    EXPECT_FALSE(waits.reached(Position{2, 0}));
    run(waits.advance({{2, 5}}));
    EXPECT_TRUE(waits.reached(Position{2, 4}));
    EXPECT_FALSE(waits.reached(Position{2, 5}));
    EXPECT_FALSE(waits.reached(Position{3, 0})) << "partitions are independent";
}

TEST(PositionWaits, AdvanceAnswersExactlyTheWaitsItReaches) {
    PositionWaits waits({});
    Recorder recorder;
    ASSERT_EQ(waits.add(Position{0, 10}, "a", kLater, recorder.done(1)), Admission::admitted);
    ASSERT_EQ(waits.add(Position{0, 12}, "b", kLater, recorder.done(2)), Admission::admitted);
    ASSERT_EQ(waits.add(Position{1, 3}, "c", kLater, recorder.done(3)), Admission::admitted);

    run(waits.advance({{0, 11}, {1, 3}}));
    ASSERT_EQ(recorder.ended.size(), 1u);
    EXPECT_EQ(recorder.ended[0], std::pair(1, WaitOutcome::reached));
    EXPECT_EQ(waits.size(), 2u);

    run(waits.advance({{0, 13}, {1, 4}}));
    EXPECT_EQ(recorder.ended.size(), 3u);
    EXPECT_TRUE(waits.empty());
}

TEST(PositionWaits, ProgressNeverMovesBack) {
    PositionWaits waits({});
    run(waits.advance({{0, 20}}));
    run(waits.advance({{0, 7}}));  // a read that started before the newer one, arriving late
    EXPECT_TRUE(waits.reached(Position{0, 19}));
}

TEST(PositionWaits, ExpireEndsOnlyTheWaitsPastTheirDeadline) {
    PositionWaits waits({});
    Recorder recorder;
    waits.add(Position{0, 1}, "a", kNow, recorder.done(1));
    waits.add(Position{0, 1}, "a", kLater, recorder.done(2));
    run(waits.expire(kNow));
    ASSERT_EQ(recorder.ended.size(), 1u);
    EXPECT_EQ(recorder.ended[0], std::pair(1, WaitOutcome::timed_out));
    EXPECT_EQ(waits.size(), 1u) << "the later one still waits";
}

TEST(PositionWaits, ACallerHoldsAtMostItsShareOfWaits) {
    PositionWaits waits({.per_caller = 2, .total = 100});
    Recorder recorder;
    EXPECT_EQ(waits.add(Position{0, 1}, "a", kLater, recorder.done(1)), Admission::admitted);
    EXPECT_EQ(waits.add(Position{0, 2}, "a", kLater, recorder.done(2)), Admission::admitted);
    EXPECT_EQ(waits.add(Position{0, 3}, "a", kLater, recorder.done(3)), Admission::caller_limit);
    EXPECT_EQ(waits.add(Position{0, 3}, "b", kLater, recorder.done(4)), Admission::admitted)
        << "another caller is not held back by the first";
    run(waits.advance({{0, 2}}));  // ends a's first wait
    EXPECT_EQ(waits.add(Position{0, 3}, "a", kLater, recorder.done(5)), Admission::admitted)
        << "an ended wait frees its place";
    EXPECT_TRUE(recorder.ended.size() == 1u);
}

TEST(PositionWaits, TheServiceHoldsAtMostItsTotal) {
    PositionWaits waits({.per_caller = 10, .total = 2});
    Recorder recorder;
    waits.add(Position{0, 1}, "a", kLater, recorder.done(1));
    waits.add(Position{0, 1}, "b", kLater, recorder.done(2));
    EXPECT_EQ(waits.add(Position{0, 1}, "c", kLater, recorder.done(3)), Admission::total_limit);
}

TEST(PositionWaits, EndAllAnswersEveryWaitOnce) {
    PositionWaits waits({});
    Recorder recorder;
    waits.add(Position{0, 1}, "a", kLater, recorder.done(1));
    waits.add(Position{5, 9}, "b", kLater, recorder.done(2));
    run(waits.end_all(WaitOutcome::shutting_down));
    EXPECT_EQ(recorder.ended.size(), 2u);
    for (const auto& [id, outcome] : recorder.ended) EXPECT_EQ(outcome, WaitOutcome::shutting_down);
    run(waits.advance({{0, 5}, {5, 50}}));
    EXPECT_EQ(recorder.ended.size(), 2u);
}

}  // namespace
}  // namespace cc::query
