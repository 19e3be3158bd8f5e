// The one seam between the controller and the treadmill: everything the control loop may ask of
// the two boards. Implemented over Modbus by ModbusTreadmill (protocols/) and, for fast logic
// tests, by an in-process fake (tests/). Errors are values; nothing here throws.
// Non-copyable: one owner, one thread (a libmodbus context is not thread safe).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "protocols/link_error.hpp"
#include "protocols/telemetry.hpp"

namespace treadmill {

// What the drive is told in one FC16 (0x2000 command + 0x2001 frequency).
struct DriveWrite {
    bool run = false;        // false -> STOP (0x0001), true -> RUN forward (0x0012)
    double speed_kmh = 0.0;  // converted to a frequency by the drive profile; 0 when stopped
};

// What the incline board is told (0x0000 command + 0x0001 target).
struct InclineWrite {
    enum class Kind { stop, move, calibrate };
    Kind kind = Kind::stop;
    double target_pct = 0.0;  // used by move
};

// The dead-man and the acceleration ramps the daemon configures on each board (rule S3).
struct BoardSettings {
    double drive_comm_timeout_s = 0.5;         // Pr.09-03
    std::uint16_t drive_comm_treatment = 1;    // Pr.09-02: ramp stop
    double accel_kmh_per_s = 1.0;              // sets Pr.01-12
    double estop_decel_kmh_per_s = 3.5;        // sets Pr.01-13
    double incline_comm_timeout_s = 0.5;       // 0x0011
    std::uint16_t incline_comm_treatment = 1;  // 0x0012: stop the lift
};

// The boards' own limits, read at connect.
struct BoardLimits {
    double max_frequency_hz = 0;  // Pr.01-00
    double max_speed_kmh = 0;     // Pr.01-00 converted with the drive profile
    double min_incline_pct = 0;   // 0x0013
    double max_incline_pct = 0;   // 0x0010
};

// Outcome of a configuration read-back (rule S4): empty `mismatch` means all as configured.
struct ConfigCheck {
    std::optional<std::uint16_t> mismatch_address;  // first register that differs
    std::uint16_t expected = 0;
    std::uint16_t actual = 0;
    bool ok() const { return !mismatch_address.has_value(); }
};

// Which board an operation addresses.
enum class Board { motor, incline };

// A failed operation that addresses both boards in turn (configure): the board that failed.
struct BoardLinkError {
    Board board = Board::motor;
    LinkError error;
};

// Health of the link that reaches one board, for the status API (`links`). On a shared bus
// both boards report the same link.
struct LinkHealth {
    bool open = false;  // connected (TCP) / device open (RTU)
    std::uint64_t transactions = 0;
    std::uint64_t failures = 0;  // all kinds
    std::uint64_t consecutive_failures = 0;
    std::optional<TimePoint> last_good;  // `now` of the last good transaction
    std::uint64_t opens = 0;             // successful opens; more than one: it was re-opened
};

class TreadmillHardware {
  public:
    TreadmillHardware() = default;
    TreadmillHardware(const TreadmillHardware&) = delete;
    TreadmillHardware& operator=(const TreadmillHardware&) = delete;
    virtual ~TreadmillHardware() = default;

    // One transaction each: the drive's 0x2100..0x2106 and the incline board's 0x0100..0x0107.
    virtual Result<DriveTelemetry, LinkError> read_drive(TimePoint now) = 0;
    virtual Result<InclineTelemetry, LinkError> read_incline(TimePoint now) = 0;

    // Command and frequency in one FC16. The only values ever written to 0x2000 are STOP and
    // RUN forward; the speed is clamped to the drive's maximum frequency.
    virtual Result<Done, LinkError> write_drive(TimePoint now, const DriveWrite& w) = 0;
    // The frequency register (0x2001) value that write_drive(w) puts on the wire, which the
    // drive's echo (0x2102) must then report. No I/O.
    virtual std::uint16_t frequency_counts(const DriveWrite& w) const = 0;
    virtual Result<Done, LinkError> write_incline(TimePoint now, const InclineWrite& w) = 0;

    // One fault reset (0x2002 bit1 / 0x0002 bit1). Never restarts anything.
    virtual Result<Done, LinkError> reset_fault(TimePoint now, Board board) = 0;

    // Read-compare-write of the settings of S3 and Pr.00-20/00-21/00-23 (writes only what
    // differs, to spare the EEPROM), then reads the boards' limits. The drive first, then the
    // incline board; an error names the board it came from.
    virtual Result<BoardLimits, BoardLinkError> configure(TimePoint now,
                                                          const BoardSettings& s) = 0;

    // Reads back all of one board's settings (at connect).
    virtual Result<ConfigCheck, LinkError> verify(TimePoint now, Board board) = 0;
    // Rule S4 reads the settings back in parts of one transaction each (a run of consecutive
    // registers), one part per control cycle: how many parts a board has (at least 1; no I/O),
    // and one part (0 .. readback_parts(board) - 1) read back and compared.
    virtual std::size_t readback_parts(Board board) const = 0;
    virtual Result<ConfigCheck, LinkError> verify_part(TimePoint now, Board board,
                                                       std::size_t part) = 0;

    // Counters of the link that reaches `board` (no I/O). Fakes may keep the default.
    virtual LinkHealth link_health(Board /*board*/) const { return {}; }
};

}  // namespace treadmill
