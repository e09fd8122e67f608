// The test stacks take a service as started only once the server answering
// on its port is its own process (Stack::start): listens_on must tell the
// process holding a loopback port from any other.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/process.hpp"

namespace cc::testing {
namespace {

TEST(ListensOn, TellsTheProcessHoldingALoopbackPortFromAnyOther) {
    // Started before the socket exists: a child forked after would hold it
    // too (until its exec, or for good without close-on-exec).
    Process other("/bin/sleep", {}, "/dev/null", {"60"});
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(fd, 1), 0);
    socklen_t length = sizeof address;
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
    const int port = ntohs(address.sin_port);

    EXPECT_TRUE(listens_on(::getpid(), port));
    EXPECT_FALSE(listens_on(other.pid(), port)) << "a process that does not hold the port";
    ::close(fd);
    EXPECT_FALSE(listens_on(::getpid(), port)) << "nobody listens there any more";
}

}  // namespace
}  // namespace cc::testing
