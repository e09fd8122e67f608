#pragma once
// Waiting on a signal, never on an amount of time: `eventually` re-checks a
// condition (a row count, an HTTP answer, a checkpoint) until it holds. The
// deadline is only a guard against a hang, generous enough for a busy 2-core
// CI machine under sanitizers; a passing test never waits for it.
#include <chrono>
#include <thread>

namespace cc::testing {

inline constexpr std::chrono::seconds kEventuallyDeadline{60};

template <class Condition>
bool eventually(Condition&& holds, std::chrono::milliseconds deadline = kEventuallyDeadline,
                std::chrono::milliseconds recheck = std::chrono::milliseconds(5)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!holds()) {
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::sleep_for(recheck);
    }
    return true;
}

}  // namespace cc::testing
