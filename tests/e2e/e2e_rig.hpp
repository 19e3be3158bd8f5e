// End-to-end rig: a board process (treadmill-sim or the Python peer) and a treadmilld process
// configured to drive it over Modbus TCP or RTU, plus helpers to read the boards' write record.
#pragma once

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/daemon/line_client.hpp"
#include "tests/peers/peer_process.hpp"
#include "tests/support/test_support.hpp"

namespace treadmill::e2e {

namespace t = treadmill::testing;
using namespace std::chrono_literals;
using nlohmann::json;

constexpr int kStop = 0x0001;
constexpr int kRunForward = 0x0012;
constexpr int kCommandAddress = 0x2000;
constexpr double kHzUnitsPerKmh = 6000.0 / 20.0;  // 20 km/h = 60.00 Hz

enum class Board { sim_tcp, sim_rtu, peer_tcp, peer_rtu };

inline bool is_peer(Board b) {
    return b == Board::peer_tcp || b == Board::peer_rtu;
}
inline bool is_rtu(Board b) {
    return b == Board::sim_rtu || b == Board::peer_rtu;
}

// The boards: treadmill-sim or board_peer.py, with a control socket in a temp dir.
class BoardProcess {
  public:
    BoardProcess(Board kind, const std::string& rtu_device = {}, int time_scale = 10)
        : kind_(kind), port_(t::free_tcp_port()) {
        std::vector<std::string> argv;
        if (is_peer(kind))
            argv = {TREADMILL_PYTHON, TREADMILL_PEER_SCRIPT};
        else
            argv = {TREADMILL_SIM_BIN};
        if (is_rtu(kind)) {
            argv.insert(argv.end(), {"--rtu", rtu_device, "--baud", "19200", "--parity", "none",
                                     "--wire", "19200,8E1"});
        } else {
            argv.insert(argv.end(), {"--tcp", "127.0.0.1:" + std::to_string(port_)});
        }
        argv.insert(argv.end(),
                    {"--control", control_, "--time-scale", std::to_string(time_scale)});
        child_ = std::make_unique<t::ChildProcess>(argv, log_);
    }
    ~BoardProcess() {
        child_.reset();  // SIGKILL and reap
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    BoardProcess(const BoardProcess&) = delete;
    BoardProcess& operator=(const BoardProcess&) = delete;

    // Waits for the serving line (and over TCP an accepted connection).
    bool ready() {
        return t::wait_until(
            [&] {
                if (t::read_file(log_).find("serving") == std::string::npos) return false;
                return is_rtu(kind_) || t::tcp_accepts(port_);
            },
            10s);
    }
    json control(const json& request) { return t::control_request(control_, request); }
    json state() {
        auto reply = control({{"cmd", "state"}});
        return reply.is_object() && reply.contains("state") ? reply["state"] : json{};
    }
    double wall_s() { return state()["wall_s"].get<double>(); }
    // The state for a polling loop: paced, so a test never floods the simulator's one thread.
    json polled_state() {
        std::this_thread::sleep_for(20ms);
        return state();
    }
    std::uint16_t port() const { return port_; }
    std::string log() const { return t::read_file(log_); }
    const std::string& dir() const { return dir_; }
    pid_t pid() const { return child_->pid(); }

  private:
    Board kind_;
    std::string dir_ = t::make_temp_dir();
    std::string control_ = dir_ + "/board.sock";
    std::string log_ = dir_ + "/board.log";
    std::uint16_t port_;
    std::unique_ptr<t::ChildProcess> child_;
};

// The bus section of a daemon config reaching `board`.
inline std::string tcp_bus(const BoardProcess& board) {
    return "bus: {transport: tcp, host: 127.0.0.1, port: " + std::to_string(board.port()) + "}\n";
}
inline std::string rtu_bus(const std::string& device) {
    return "bus: {transport: rtu, device: " + device + ", baud: 19200, parity: none}\n";
}

// treadmilld with a config in a temp dir; `extra` is appended to the config (limits, control).
class DaemonProcess {
  public:
    DaemonProcess(const std::string& bus, const std::string& extra = {}) {
        std::ofstream(config_) << bus << "api: {socket: " << socket_ << "}\n"
                               << t::state_in(dir_) << "programs: {dirs: [" << dir_ << "]}\n"
                               << extra;
        child_ = std::make_unique<t::ChildProcess>(
            std::vector<std::string>{TREADMILLD_BIN, "--config", config_}, log_);
    }
    ~DaemonProcess() {
        client_.reset();
        child_.reset();  // SIGKILL and reap
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    DaemonProcess(const DaemonProcess&) = delete;
    DaemonProcess& operator=(const DaemonProcess&) = delete;

    // Connects to the API and waits until the daemon reports `idle`.
    bool wait_idle(std::chrono::milliseconds timeout = 10s) {
        return t::wait_until(
            [&] {
                if (!client_ || !client_->connected())
                    client_ = std::make_unique<t::LineClient>(socket_);
                return client_->connected() && state() == "idle";
            },
            timeout);
    }
    std::optional<json> call(const json& request) {
        if (!client_ || !client_->connected()) client_ = std::make_unique<t::LineClient>(socket_);
        return client_->call(request);
    }
    json status() {
        const auto reply = call({{"id", 1}, {"cmd", "status"}});
        return reply && reply->contains("status") ? (*reply)["status"] : json{};
    }
    std::string state() {
        const auto s = status();
        return s.is_object() && s["state"].is_string() ? s["state"].get<std::string>() : "";
    }
    // The latched fault's code, "" when there is none.
    std::string fault_code() {
        const auto s = status();
        return s.is_object() && s["fault"].is_object() ? s["fault"]["code"].get<std::string>() : "";
    }
    // Polls the status until the fault `code` shows; the seconds it took, or nullopt.
    std::optional<double> time_to_fault(const std::string& code, std::chrono::milliseconds limit) {
        const auto t0 = std::chrono::steady_clock::now();
        if (!t::wait_until([&] { return fault_code() == code; }, limit)) return std::nullopt;
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    std::optional<json> start_yaml(const std::string& yaml) {
        return call({{"id", 2}, {"cmd", "start"}, {"yaml", yaml}});
    }
    t::ChildProcess& child() { return *child_; }
    std::string log() const { return t::read_file(log_); }
    // The API socket, for tests that open their own clients.
    const std::string& socket() const { return socket_; }
    // The temp dir, which is also the daemon's program directory.
    const std::string& dir() const { return dir_; }

  private:
    std::string dir_ = t::make_temp_dir();
    std::string config_ = dir_ + "/treadmilld.yaml";
    std::string socket_ = dir_ + "/api.sock";
    std::string log_ = dir_ + "/daemon.log";
    std::unique_ptr<t::ChildProcess> child_;
    std::unique_ptr<t::LineClient> client_;
};

// One FC16 to the drive's command block: wall time, command word and frequency.
struct DriveWrite {
    double t;
    int command;
    int frequency;  // -1 when only the command word was written
};

// The writes to unit 1 address 0x2000 in a state reply, in order, from `since` on.
inline std::vector<DriveWrite> drive_writes(const json& state, double since = -1.0) {
    std::vector<DriveWrite> out;
    for (const auto& w : state["writes"]) {
        if (w["unit"] != 1 || w["address"] != kCommandAddress) continue;
        const double at = w["t"].get<double>();
        if (at < since) continue;
        const auto& v = w["values"];
        if (!v.is_array() || v.empty()) continue;  // a refused write (the peer records null)
        out.push_back({at, v[0].get<int>(), v.size() > 1 ? v[1].get<int>() : -1});
    }
    return out;
}

// All writes to unit 1 (any address) after `since`.
inline std::vector<json> unit1_writes(const json& state, double since) {
    std::vector<json> out;
    for (const auto& w : state["writes"])
        if (w["unit"] == 1 && w["t"].get<double>() > since && w["values"].is_array())
            out.push_back(w);
    return out;
}

inline bool any_run_write(const std::vector<DriveWrite>& writes) {
    for (const auto& w : writes)
        if (w.command == kRunForward) return true;
    return false;
}

// An RFC 3339 UTC time with milliseconds ("2026-11-26T11:30:57.123Z") as seconds since the epoch.
inline double parse_rfc3339(const std::string& text) {
    std::tm tm{};
    int millis = 0;
    if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis) != 7)
        return 0.0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<double>(timegm(&tm)) + millis / 1000.0;
}

// The system clock as seconds since the epoch.
inline double epoch_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Seconds on the test's steady clock since `t0`.
inline double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace treadmill::e2e
