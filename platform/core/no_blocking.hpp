#pragma once
// A thread that must not block for the length of a scope: a server's I/O
// thread trying a request itself before it would hand it to a worker.
// Code that would wait (for a lock someone holds, for the network) checks
// active(), and instead of waiting does nothing and calls decline(); the
// one who opened the scope then hands the work to a thread that may wait,
// which does it all again from the start. So whatever may decline must
// have done nothing that cannot be done twice.
namespace cc {

class NoBlocking {
  public:
    NoBlocking();
    ~NoBlocking();
    NoBlocking(const NoBlocking&) = delete;
    NoBlocking& operator=(const NoBlocking&) = delete;

    // Whether this thread is inside such a scope.
    static bool active();
    // What would have blocked was not done (outside a scope: nothing).
    static void decline();
    // Called where this thread is about to wait: inside a scope, declines
    // and returns true (the caller then does nothing); outside, false.
    static bool declines();
    // Whether anything declined inside this scope.
    bool declined() const { return declined_; }

  private:
    NoBlocking* outer_;
    bool declined_ = false;
};

}  // namespace cc
