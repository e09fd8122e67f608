#pragma once
// A deliberately small blocking HTTP/1.1 client over loopback for tests: one
// connection per request, Connection: close, so it shares nothing with the
// server's Beast code it is testing.
#include <boost/json/value.hpp>

#include <chrono>
#include <map>
#include <stdexcept>
#include <string>

namespace cc::testing {

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;

    boost::json::value json() const;
    std::string header(const std::string& name) const;
};

// `answer_within` (0: no bound) throws NoAnswer when the whole answer has
// not arrived in time: a server that hangs fails the test instead of it.
HttpResponse http_request(int port, const std::string& method, const std::string& target,
                          const std::string& body = "",
                          const std::map<std::string, std::string>& headers = {},
                          std::chrono::milliseconds answer_within = {});

struct NoAnswer : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Sends `bytes` as they are (a malformed request, say) and returns all the
// server wrote back before it closed the connection ("" for nothing).
std::string raw_exchange(int port, const std::string& bytes);

// A connection a test drives a step at a time (a client that sends
// `Expect: 100-continue`, then its body only once the server says so).
// Reads give up after 20 s, a guard against a hang, not a wait.
class RawConnection {
  public:
    explicit RawConnection(int port);
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    void send(const std::string& bytes);
    // The next response's status line and header fields, up to and with the
    // blank line ("" when the server closed first or sent nothing).
    std::string read_header();
    // Whatever else arrives until the server closes the connection.
    std::string read_to_end();

  private:
    int fd_;
    std::string pending_;  // read past the last header returned
};

// Polls GET path until it answers 200 or the deadline passes.
bool wait_until_ready(int port, const std::string& path, int timeout_ms);

}  // namespace cc::testing
