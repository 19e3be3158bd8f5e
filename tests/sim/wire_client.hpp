// Minimal byte-level clients for the real-wire tests: a TCP socket, a raw pty, a Unix socket.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace treadmill::sim::testing {

using WireBytes = std::vector<std::uint8_t>;

// A file descriptor closed on destruction, with write-all and read-with-deadline.
class WireFd {
  public:
    explicit WireFd(int fd = -1) : fd_(fd) {}
    ~WireFd() {
        if (fd_ >= 0) ::close(fd_);
    }
    WireFd(WireFd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    WireFd(const WireFd&) = delete;
    WireFd& operator=(const WireFd&) = delete;

    bool valid() const { return fd_ >= 0; }
    int fd() const { return fd_; }

    bool send(const WireBytes& bytes) const {
        std::size_t done = 0;
        while (done < bytes.size()) {
            const auto n = ::write(fd_, bytes.data() + done, bytes.size() - done);
            if (n <= 0) return false;
            done += static_cast<std::size_t>(n);
        }
        return true;
    }
    bool send(const std::string& text) const { return send(WireBytes(text.begin(), text.end())); }

    // Reads until `want` bytes arrived or `timeout` passed (or EOF); returns what arrived.
    WireBytes receive(std::size_t want, std::chrono::milliseconds timeout) const {
        WireBytes out;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (out.size() < want) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
            std::uint8_t buf[512];
            const auto n = ::read(fd_, buf, std::min(sizeof buf, want - out.size()));
            if (n <= 0) break;
            out.insert(out.end(), buf, buf + n);
        }
        return out;
    }

    // One line (without the newline), or "" on time-out.
    std::string receive_line(std::chrono::milliseconds timeout) const {
        std::string line;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            auto b = receive(1, std::chrono::duration_cast<std::chrono::milliseconds>(
                                    deadline - std::chrono::steady_clock::now()));
            if (b.empty()) break;
            if (b[0] == '\n') return line;
            line.push_back(static_cast<char>(b[0]));
        }
        return "";
    }

  private:
    int fd_;
};

inline WireFd connect_tcp(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return WireFd{};
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return WireFd{fd};
}

inline WireFd connect_unix(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return WireFd{};
    }
    return WireFd{fd};
}

// Opens a pty end raw (8N1; a pty ignores the baud).
inline WireFd open_raw_pty(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY);
    if (fd < 0) return WireFd{};
    termios tio{};
    ::tcgetattr(fd, &tio);
    ::cfmakeraw(&tio);
    ::tcsetattr(fd, TCSANOW, &tio);
    return WireFd{fd};
}

}  // namespace treadmill::sim::testing
