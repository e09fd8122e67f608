#include "platform/core/no_blocking.hpp"

namespace cc {
namespace {

thread_local NoBlocking* innermost = nullptr;

}  // namespace

NoBlocking::NoBlocking() : outer_(innermost) {
    innermost = this;
}

NoBlocking::~NoBlocking() {
    innermost = outer_;
}

bool NoBlocking::active() {
    return innermost != nullptr;
}

void NoBlocking::decline() {
    if (innermost != nullptr) innermost->declined_ = true;
}

bool NoBlocking::declines() {
    if (innermost == nullptr) return false;
    innermost->declined_ = true;
    return true;
}

}  // namespace cc
