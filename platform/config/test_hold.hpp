#pragma once
// Test hooks that stop a service at an exact point: it writes a line to a
// FIFO the test made (the test learns it is there), then opens the FIFO for
// reading, which blocks until the test opens it for writing (a test that
// kills the service there never does). Nothing happens when `fifo` is "".
#include <fcntl.h>
#include <unistd.h>

#include <string>

namespace cc::config {

inline void hold_at(const std::string& fifo, const std::string& line) {
    if (fifo.empty()) return;
    const int out = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
    if (out < 0) return;
    const std::string said = line + "\n";
    (void)!::write(out, said.data(), said.size());
    ::close(out);
    const int in = ::open(fifo.c_str(), O_RDONLY | O_CLOEXEC);
    if (in >= 0) ::close(in);
}

}  // namespace cc::config
