// The simulator core, pure and single-threaded: both boards, the belt physics, fault injection
// and the record of received writes. Time is passed in (wall clock); physics runs on the
// workout clock = wall time x time_scale. The servers (TCP, RTU) and tests drive it.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <span>

#include <nlohmann/json.hpp>

#include "sim/bus_model.hpp"
#include "sim/drive_model.hpp"
#include "sim/embedded_simulator.hpp"
#include "sim/fault_injector.hpp"
#include "sim/incline_model.hpp"
#include "sim/physics.hpp"

namespace treadmill::sim {

// One write request as received: wall seconds since start, unit, address, values, exception.
struct WriteRecord {
    double wall_s = 0.0;
    int unit = 0;
    WriteAttempt write;
};

class Simulator {
  public:
    static constexpr std::size_t kMaxRecordedWrites = 10000;
    static constexpr double kRebootSeconds = 1.0;

    Simulator(TimePoint now, const SimOptions& options);

    // Runs timers and physics up to `now`.
    void advance(TimePoint now);
    // One request PDU for `unit`, as the bus delivered it at `now`; how to reply.
    ReplyPlan handle(TimePoint now, std::uint8_t unit, std::span<const std::uint8_t> pdu);
    // One simulator-control command (see docs/simulator.md); never throws.
    nlohmann::json control(TimePoint now, const nlohmann::json& command);
    // The physical state and the write record.
    nlohmann::json state(TimePoint now) const;
    // The same, with only the writes received after `writes_since` wall seconds (a poller's
    // cheap update; -1 = all).
    nlohmann::json state(TimePoint now, double writes_since) const;

    DriveModel& drive() { return drive_; }
    InclineModel& incline() { return incline_; }
    Physics& physics() { return physics_; }
    FaultInjector& injector() { return injector_; }
    const std::deque<WriteRecord>& writes() const { return writes_; }
    double workout_seconds() const { return workout_s_; }
    bool rebooting(int unit, TimePoint now) const;
    bool key_present() const { return key_present_; }

    // Used by the control commands. `now` is when the command is applied: the state reports it
    // as key_changed_s when the key's position changes.
    void set_key(bool present, TimePoint now);
    void reboot(int unit, TimePoint now);
    void clear_injections(TimePoint now);

  private:
    void finish_reboots(TimePoint now);
    void step(TimePoint now, double workout_dt);
    RegisterBoard& board(int unit);
    void record(TimePoint now, int unit, const WriteAttempt& attempt);

    SimOptions options_;
    TimePoint start_;
    TimePoint last_;
    double workout_s_ = 0.0;
    DriveModel drive_;
    InclineModel incline_;
    Physics physics_;
    FaultInjector injector_;
    std::array<std::optional<TimePoint>, 3> reboot_until_{};
    std::mt19937_64 rng_;
    std::deque<WriteRecord> writes_;
    bool key_present_ = true;
    std::optional<TimePoint> key_changed_;  // when set_key last changed key_present_
};

}  // namespace treadmill::sim
