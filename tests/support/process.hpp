#pragma once
// A child process with its own environment (a service under test), killed
// with SIGTERM (or SIGKILL) when the handle goes away.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cc::testing {

class Process {
  public:
    // `args` follow the program's name on its command line.
    Process(const std::string& path, const std::map<std::string, std::string>& env,
            const std::string& log_file, const std::vector<std::string>& args = {});
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    void kill_hard();  // SIGKILL, as a crash
    void freeze();     // SIGSTOP, returning once it has stopped: nothing it does moves on
    void thaw();       // SIGCONT: it goes on where it stopped
    int terminate();   // SIGTERM and wait; returns the exit status
    bool running();
    // Waits for it to end of its own accord (a command line tool) and
    // returns how it ended.
    int wait();
    // How it ended, once running() has seen it end of its own accord.
    std::optional<int> exit_status() const { return exit_status_; }
    int pid() const { return pid_; }

  private:
    int pid_ = -1;
    std::optional<int> exit_status_;
};

// Whether process `pid` holds the socket listening on loopback `port`
// (IPv4): a server that answers there may be another process's, when two
// test binaries were given the same free port.
bool listens_on(int pid, int port);

}  // namespace cc::testing
