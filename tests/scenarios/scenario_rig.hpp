// The processes of a scenario: the boards (treadmill-sim or the Python peer, over Modbus TCP or
// RTU through a socat pty pair that can be removed and made again), on one clock: seconds since
// the runner started (steady). The board's write record is converted onto that clock.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/test_support.hpp"

namespace treadmill::scenarios {

enum class Transport { tcp, rtu, peer_tcp, peer_rtu };

// "tcp" | "rtu" | "peer_tcp" | "peer_rtu"; throws std::runtime_error otherwise.
Transport parse_transport(const std::string& name);
bool is_rtu(Transport t);
bool is_peer(Transport t);

// Seconds on the steady clock since the runner started.
double runner_now();
// The system clock as seconds since the epoch.
double epoch_now();

constexpr int kStopCommand = 0x0001;
constexpr int kRunForwardCommand = 0x0012;

// One write to the drive's command block (unit 1, 0x2000), on the runner's clock.
struct DriveWrite {
    double t;
    int command;
    int frequency;  // 0.01 Hz; -1 when only the command word was written
};

// treadmill-sim or board_peer.py with a control socket in `dir`.
class Board {
  public:
    Board(Transport transport, const std::string& dir, const std::string& rtu_device,
          int time_scale);
    Board(const Board&) = delete;
    Board& operator=(const Board&) = delete;

    // Waits for the serving line (and a TCP accept), then aligns the board's clock with ours.
    bool ready();
    nlohmann::json control(const nlohmann::json& request);
    // Fetches the state and the writes received since the last poll; false when unreachable.
    bool poll();
    const nlohmann::json& state() const { return state_; }
    double belt_kmh() const;
    int drive_fault() const;
    const std::vector<DriveWrite>& drive_writes() const { return writes_; }
    std::uint16_t port() const { return port_; }
    std::string log() const;

  private:
    Transport transport_;
    std::string control_;
    std::string log_;
    std::uint16_t port_;
    std::unique_ptr<testing::ChildProcess> child_;
    double offset_ = 0.0;  // runner seconds = board wall seconds + offset_
    double last_write_wall_ = -1.0;
    nlohmann::json state_;
    std::vector<DriveWrite> writes_;
};

}  // namespace treadmill::scenarios
