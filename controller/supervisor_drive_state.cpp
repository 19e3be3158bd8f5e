// The drive_state rule: the drive's own report (0x2100 warning, 0x2101 status, 0x2102 echo of the
// frequency command) checked against what it acknowledged. A drive that leaves RUN or loses its
// frequency command by itself (a brown-out, a reboot between polls, a fault it cleared itself)
// must not be restarted by the next cycle's RUN: it latches a fault instead.
#include <cstdio>
#include <string>

#include "controller/supervisor.hpp"
#include "controller/text.hpp"
#include "protocols/register_map.hpp"

namespace treadmill::controller {

namespace {

namespace m = regmap::motor;

// RUN acknowledged this long ago and the drive still reports stopped: it is not running.
constexpr Duration kRunConfirmTime = std::chrono::milliseconds(300);

// Stopped (00) or decelerating to a stop (01); standby (10, RUN at 0 Hz) and running count as RUN.
bool out_of_run(const DriveTelemetry& d) {
    const auto run = d.status & m::kStatusRunMask;
    return run == m::kStatusStopped || run == m::kStatusDecelerating;
}

}  // namespace

// A drive reporting its own fault is S1's or S8's; its registers then say nothing new.
void Supervisor::check_drive_state(TimePoint now, const Observations& obs) {
    if (!obs.drive || obs.board_faults_stale || obs.drive->fault_code != m::kFaultNone) return;
    const DriveTelemetry& d = *obs.drive;
    const DriveAcknowledged& told = obs.drive_acknowledged;
    if (d.warning_code == m::kWarningComm)
        trip(
            now, FaultCode::drive_state,
            "drive reports its comm-loss warning (0x2100 high byte 1) although polled every cycle");
    if (told.frequency_counts && d.frequency_command_counts != *told.frequency_counts)
        trip(now, FaultCode::drive_state,
             "drive frequency command echo (0x2102) reads " +
                 std::to_string(d.frequency_command_counts) + ", " +
                 std::to_string(*told.frequency_counts) +
                 " was written (it lost or changed its command by itself)");
    if (told.run_since && now - *told.run_since >= kRunConfirmTime && out_of_run(d)) {
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(now - *told.run_since).count();
        trip(now, FaultCode::drive_state,
             "drive reports " +
                 std::string((d.status & m::kStatusRunMask) == m::kStatusDecelerating
                                 ? "decelerating"
                                 : "stopped") +
                 " (0x2101 = " + hex16(d.status) + ") " + std::to_string(ms) +
                 " ms after RUN was written (it left RUN by itself)");
    }
}

}  // namespace treadmill::controller
