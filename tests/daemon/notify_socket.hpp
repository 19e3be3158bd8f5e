// A datagram Unix socket standing in for systemd's $NOTIFY_SOCKET in tests.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <poll.h>
#include <chrono>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>

namespace treadmill::testing {

class NotifySocket {
  public:
    // `name` is a path, or "@name" for an abstract socket.
    explicit NotifySocket(std::string name) : name_(std::move(name)) {
        fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, name_.data(), name_.size());
        if (name_[0] == '@') addr.sun_path[0] = '\0';
        const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size());
        if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0)
            throw std::runtime_error("bind " + name_ + ": " + std::strerror(errno));
    }
    ~NotifySocket() {
        close(fd_);
        if (name_[0] == '/') unlink(name_.c_str());
    }
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    const std::string& name() const { return name_; }

    // The next datagram, or nullopt after `timeout`.
    std::optional<std::string> receive(std::chrono::milliseconds timeout) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
        char buffer[4096];
        const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
        if (n < 0) return std::nullopt;
        return std::string(buffer, static_cast<std::size_t>(n));
    }

  private:
    std::string name_;
    int fd_ = -1;
};

}  // namespace treadmill::testing
