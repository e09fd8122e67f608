#include "tests/support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace cc::testing {

boost::json::value HttpResponse::json() const {
    return boost::json::parse(body);
}

std::string HttpResponse::header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

namespace {

int connect_loopback(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        throw std::runtime_error("connect failed");
    }
    return fd;
}

void send_all(int fd, const std::string& bytes) {
    for (std::size_t sent = 0; sent < bytes.size();) {
        const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
}

// Everything until the server closes; with a bound, throws NoAnswer past it.
std::string receive_all(int fd, std::chrono::milliseconds within = {}) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + within;
    std::string raw;
    char buffer[8192];
    for (;;) {
        if (within.count() > 0) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            pollfd readable{fd, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&readable, 1, static_cast<int>(left.count())) == 0) {
                throw NoAnswer("no complete answer within " + std::to_string(within.count()) +
                               " ms");
            }
        }
        const auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        raw.append(buffer, static_cast<std::size_t>(n));
    }
    return raw;
}

}  // namespace

std::string raw_exchange(int port, const std::string& bytes) {
    const int fd = connect_loopback(port);
    send_all(fd, bytes);
    auto raw = receive_all(fd);
    ::close(fd);
    return raw;
}

HttpResponse http_request(int port, const std::string& method, const std::string& target,
                          const std::string& body,
                          const std::map<std::string, std::string>& headers,
                          std::chrono::milliseconds answer_within) {
    const int fd = connect_loopback(port);
    std::string request =
        method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    bool has_type = false;
    for (const auto& [name, value] : headers) {
        request += name + ": " + value + "\r\n";
        if (name == "Content-Type") has_type = true;
    }
    if (!body.empty() && !has_type) request += "Content-Type: application/json\r\n";
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    send_all(fd, request);
    std::string raw;
    try {
        raw = receive_all(fd, answer_within);
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);

    HttpResponse response;
    const auto head_end = raw.find("\r\n\r\n");
    if (head_end == std::string::npos || raw.size() < 12) throw std::runtime_error("bad response");
    response.status = std::stoi(raw.substr(9, 3));
    std::size_t line_start = raw.find("\r\n") + 2;
    while (line_start < head_end) {
        const auto line_end = raw.find("\r\n", line_start);
        const auto line = raw.substr(line_start, line_end - line_start);
        const auto colon = line.find(':');
        if (colon != std::string::npos) {
            std::string name = line.substr(0, colon);
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            auto value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            response.headers[name] = value;
        }
        line_start = line_end + 2;
    }
    response.body = raw.substr(head_end + 4);
    return response;
}

RawConnection::RawConnection(int port) : fd_(connect_loopback(port)) {
    timeval guard{20, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard);
}

RawConnection::~RawConnection() {
    ::close(fd_);
}

void RawConnection::send(const std::string& bytes) {
    send_all(fd_, bytes);
}

std::string RawConnection::read_header() {
    char buffer[8192];
    for (;;) {
        if (const auto end = pending_.find("\r\n\r\n"); end != std::string::npos) {
            auto header = pending_.substr(0, end + 4);
            pending_.erase(0, end + 4);
            return header;
        }
        const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0) return {};
        pending_.append(buffer, static_cast<std::size_t>(n));
    }
}

std::string RawConnection::read_to_end() {
    auto out = std::move(pending_);
    pending_.clear();
    return out + receive_all(fd_);
}

bool wait_until_ready(int port, const std::string& path, int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
        try {
            if (http_request(port, "GET", path).status == 200) return true;
        } catch (const std::exception&) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

}  // namespace cc::testing
