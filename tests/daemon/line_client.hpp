// A blocking newline-JSON client for tests, with time-outs, over a Unix stream socket.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/json_text.hpp"

namespace treadmill::testing {

class LineClient {
  public:
    // `connect_now` false: only the socket is made; connect() later (it needs no new
    // descriptor, for tests that run out of them).
    explicit LineClient(const std::string& path, bool connect_now = true) : path_(path) {
        fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect_now) connect();
    }
    ~LineClient() { close_now(); }
    LineClient(const LineClient&) = delete;
    LineClient& operator=(const LineClient&) = delete;

    bool connect() {
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        return connected_;
    }
    bool connected() const { return connected_; }
    // Ends both directions; wakes a thread blocked sending on this client.
    void shut_down() { ::shutdown(fd_, SHUT_RDWR); }
    void close_now() {
        if (fd_ >= 0) close(fd_);
        fd_ = -1;
    }

    // Sends all bytes; false when the server closed.
    bool send_raw(const std::string& bytes) {
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
            if (n <= 0) return false;
            done += static_cast<std::size_t>(n);
        }
        return true;
    }
    bool send(const nlohmann::json& request) {
        return send_raw(treadmill::json_text(request) + "\n");
    }

    // The next line, or nullopt on time-out or end of stream (see eof()).
    std::optional<std::string> read_line(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
                std::string line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return line;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            pollfd p{fd_, POLLIN, 0};
            if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) != 1)
                return std::nullopt;
            char chunk[65536];
            const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
            if (n <= 0) {
                eof_ = true;
                return std::nullopt;
            }
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }
    std::optional<nlohmann::json> read_json(std::chrono::milliseconds timeout) {
        const auto line = read_line(timeout);
        if (!line) return std::nullopt;
        return nlohmann::json::parse(*line);
    }
    // Sends a request and reads its reply.
    std::optional<nlohmann::json> call(
        const nlohmann::json& request,
        std::chrono::milliseconds timeout = std::chrono::seconds(2)) {
        if (!send(request)) return std::nullopt;
        return read_json(timeout);
    }
    // True once the server closed the connection (after reading what it sent).
    bool wait_eof(std::chrono::milliseconds timeout) {
        while (!eof_) {
            if (!read_line(timeout) && !eof_) return false;
        }
        return true;
    }
    bool eof() const { return eof_; }

  private:
    std::string path_;
    int fd_ = -1;
    bool connected_ = false;
    bool eof_ = false;
    std::string buffer_;
};

}  // namespace treadmill::testing
