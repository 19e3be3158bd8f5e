// The daemon's configuration (/etc/treadmilld/treadmilld.yaml): every key optional, these
// members carry the defaults. Speeds in km/h, inclines in %, times as durations.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/machine_limits.hpp"
#include "programs/profile_location.hpp"

namespace treadmill::daemon {

using std::chrono::milliseconds;

inline constexpr const char* kDefaultConfigPath = "/etc/treadmilld/treadmilld.yaml";

struct BusConfig {
    enum class Transport { sim, rtu, tcp };
    Transport transport = Transport::sim;
    std::string device = "/dev/ttyUSB0";  // rtu
    int baud = 19200;
    char parity = 'E';  // 'N', 'E', 'O'
    int stop_bits = 1;
    std::string host = "127.0.0.1";  // tcp
    int port = 502;
    Duration response_timeout = milliseconds(50);

    bool operator==(const BusConfig&) const = default;
};

struct MotorConfig {
    int unit = 1;
    double max_frequency_hz = 60;
    double speed_at_max_frequency_kmh = 20;
    Duration comm_timeout = milliseconds(500);
    std::optional<BusConfig> bus;  // own bus; else the top-level one
};

struct InclineConfig {
    int unit = 2;
    Duration comm_timeout = milliseconds(500);
    std::optional<BusConfig> bus;
};

struct ControlConfig {
    Duration period = milliseconds(100);
    Duration countdown = std::chrono::seconds(3);
    Duration max_pause = std::chrono::minutes(5);
    int comm_loss_failures = 3;
    Duration watchdog = std::chrono::seconds(1);
};

struct ApiConfig {
    std::string socket = "/run/treadmilld/control.sock";
    std::string group = "treadmill";
    // The remote socket for bridges (docs/fleet.md): only the commands that watch or stop;
    // "" (the default) opens none.
    std::string remote_socket;
    std::string remote_group = "treadmill-remote";
    bool remote_adjust = false;  // speed and incline on the remote socket too
    // A client that sent no request for this long and is not watching is closed (≥ 1 s).
    Duration idle_timeout = std::chrono::seconds(60);
};

// The console's paired devices (docs/api.md, "Pairing").
struct PairingConfig {
    std::string file = "/var/lib/treadmilld/pairing.json";
};

// The counters' state file (docs/fleet.md, "Metrics").
struct MetricsConfig {
    std::string file = "/var/lib/treadmilld/metrics.json";
};

// Maintenance intervals in belt running time (docs/fleet.md, "Maintenance"); none: not tracked.
struct MaintenanceConfig {
    std::optional<Duration> lubrication;
    std::optional<Duration> service;
};

struct Config {
    BusConfig bus;
    MotorConfig motor;
    InclineConfig incline;
    MachineLimits limits;
    ControlConfig control;
    ApiConfig api;
    PairingConfig pairing;
    MetricsConfig metrics;
    MaintenanceConfig maintenance;
    std::vector<std::string> program_dirs = {"/etc/treadmilld/programs"};
    // Where save_program writes; searched for programs before program_dirs.
    std::string program_user_dir = "/var/lib/treadmilld/programs";
    // The runner's profile: in the state directory, where `profile update-from-mile --yes` may
    // write it under the hardened unit. While it is absent and the config names no profile,
    // the old default (`profile_fallback`) is still read (docs/history.md).
    std::string profile = "/var/lib/treadmilld/profile.yaml";
    std::string profile_fallback = "/etc/treadmilld/profile.yaml";  // cleared by a `profile` key
    std::string history_database = "/var/lib/treadmilld/history.db";

    // The bus each board is on.
    const BusConfig& motor_bus() const { return motor.bus ? *motor.bus : bus; }
    const BusConfig& incline_bus() const { return incline.bus ? *incline.bus : bus; }
    // Where the profile is read and written.
    programs::ProfileLocation profile_location() const { return {profile, profile_fallback}; }
    // True when no board is on real hardware: the embedded simulator runs.
    bool simulated() const {
        return motor_bus().transport == BusConfig::Transport::sim &&
               incline_bus().transport == BusConfig::Transport::sim;
    }
};

}  // namespace treadmill::daemon
