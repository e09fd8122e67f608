#pragma once
// A child process with its own environment (a service under test), killed
// with SIGTERM (or SIGKILL) when the handle goes away.
#include <map>
#include <string>
#include <vector>

namespace cc::testing {

class Process {
  public:
    Process(const std::string& path, const std::map<std::string, std::string>& env,
            const std::string& log_file);
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    void kill_hard();  // SIGKILL, as a crash
    void freeze();     // SIGSTOP, returning once it has stopped: nothing it does moves on
    int terminate();   // SIGTERM and wait; returns the exit status
    bool running();
    int pid() const { return pid_; }

  private:
    int pid_ = -1;
};

}  // namespace cc::testing
