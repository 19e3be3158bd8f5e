// The Python peer (board_peer.py) as a child process of a test, and its JSON control channel.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/json_text.hpp"
#include "tests/support/test_support.hpp"

namespace treadmill::testing {

using namespace std::chrono_literals;

// A connected Unix stream socket to the peer's control channel (-1 when it failed).
inline int connect_unix(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (fd < 0 || path.size() >= sizeof addr.sun_path) return -1;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// True when a TCP connection to 127.0.0.1:port is accepted.
inline bool tcp_accepts(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

// One JSON line to the control socket, one JSON line back (null on any failure).
inline nlohmann::json control_request(const std::string& path, const nlohmann::json& request) {
    int fd = connect_unix(path);
    if (fd < 0) return nullptr;
    const std::string line = treadmill::json_text(request) + "\n";
    std::string reply;
    if (::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size())) {
        char buffer[65536];
        for (;;) {
            ssize_t n = ::read(fd, buffer, sizeof buffer);
            if (n <= 0) break;
            reply.append(buffer, static_cast<std::size_t>(n));
            if (reply.back() == '\n') break;
        }
    }
    ::close(fd);
    return nlohmann::json::parse(reply, nullptr, false);
}

// board_peer.py started over TCP (127.0.0.1, a free port) or RTU (a device), with a control
// socket in a fresh temp dir; ready() waits for its "serving" line.
class PeerProcess {
  public:
    struct Options {
        std::optional<std::string> rtu_device;  // else TCP
        double time_scale = 1.0;
        std::optional<std::string> wire;  // RTU wire-time emulation, e.g. "19200,8E1"
    };

    explicit PeerProcess(const Options& options)
        : dir_(make_temp_dir()), port_(free_tcp_port()), rtu_(options.rtu_device.has_value()) {
        control_ = dir_ + "/control.sock";
        log_ = dir_ + "/peer.log";
        std::vector<std::string> argv{TREADMILL_PYTHON, TREADMILL_PEER_SCRIPT};
        if (options.rtu_device) {
            argv.insert(argv.end(),
                        {"--rtu", *options.rtu_device, "--baud", "19200", "--parity", "N"});
            if (options.wire) argv.insert(argv.end(), {"--wire", *options.wire});
        } else {
            argv.insert(argv.end(), {"--tcp", "127.0.0.1:" + std::to_string(port_)});
        }
        argv.insert(argv.end(),
                    {"--control", control_, "--time-scale", std::to_string(options.time_scale)});
        child_ = std::make_unique<ChildProcess>(argv, log_);
    }
    ~PeerProcess() {
        child_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    PeerProcess(const PeerProcess&) = delete;
    PeerProcess& operator=(const PeerProcess&) = delete;

    // Waits (with a deadline) until the peer serves the bus: its "serving" line, and over TCP a
    // connection accepted.
    bool ready(std::chrono::milliseconds timeout = 10s) {
        return wait_until(
            [&] {
                if (read_file(log_).find("board_peer: serving") == std::string::npos) return false;
                return rtu_ || tcp_accepts(port_);
            },
            timeout);
    }
    nlohmann::json control(const nlohmann::json& request) {
        return control_request(control_, request);
    }
    // The "state" object of the state reply (null when the control channel failed).
    nlohmann::json state() {
        auto reply = control({{"cmd", "state"}});
        return reply.is_object() && reply.contains("state") ? reply["state"] : nlohmann::json{};
    }

    std::uint16_t port() const { return port_; }
    std::string log() const { return read_file(log_); }
    ChildProcess& child() { return *child_; }

  private:
    std::string dir_;
    std::uint16_t port_;
    bool rtu_;
    std::string control_;
    std::string log_;
    std::unique_ptr<ChildProcess> child_;
};

}  // namespace treadmill::testing
