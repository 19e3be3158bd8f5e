// An in-process TreadmillHardware for fast logic tests: simple belt and incline physics on the
// time passed in, injectable failures per call, the safety key, board faults, and a log of
// every call with its time. Virtual time: the test advances it by hand. Transactions take no
// time unless the test gives them some (transaction_time, timeout_time, late_reply_guard):
// then they follow each other on one bus and busy_until() is the clock during a cycle's I/O.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "protocols/treadmill_hardware.hpp"

namespace treadmill::testing {

class FakeTreadmill : public TreadmillHardware {
  public:
    enum class Call {
        read_drive,
        read_incline,
        write_drive,
        write_incline,
        reset,
        configure,
        verify,
        verify_part
    };
    static constexpr std::size_t kCalls = 8;

    struct Record {
        TimePoint at{};  // when the request went out
        Call call = Call::read_drive;
        bool ok = true;
        DriveWrite drive;            // write_drive
        InclineWrite incline;        // write_incline
        Board board = Board::motor;  // reset, verify, verify_part
        std::size_t part = 0;        // verify_part
        TimePoint end{};             // when the reply came (or the time-out struck)
        bool latched = false;        // latched_probe() when the call was made
    };

    // Tests that check the order of writes: whether the controller had a fault latched at the
    // moment of each call (a fault found later in the same cycle does not make an earlier
    // write wrong).
    std::function<bool()> latched_probe;

    // --- physics and board state (tests set these directly) ---
    double time_scale = 1.0;  // physics runs on the workout clock
    bool key_present = true;
    std::uint8_t drive_fault = 0;  // 0x2100 low byte
    std::uint16_t incline_fault = 0;
    bool reverse = false;        // the drive reports reverse
    bool runaway = false;        // the belt speeds up whatever the command
    bool belt_stall = false;     // the roller stands still whatever the command
    bool incline_stall = false;  // the lift does not move
    double belt_kmh = 0;         // the belt's (and roller's) speed
    double incline_pct = 0;
    double odometer_m = 0;                 // reported as uint32 centimetres (wraps)
    std::uint32_t odometer_offset_cm = 0;  // start of the counter (to test the wrap)
    BoardLimits limits{60.0, 20.0, 0.0, 15.0};
    std::array<std::optional<ConfigCheck>, 2> verify_result;  // motor, incline
    // The S4 read-back parts per board (motor, incline), as the reference map has them, and
    // the one part a verify_result shows in (empty: every part of that board).
    std::array<std::size_t, 2> readback_part_count{4, 1};
    std::array<std::optional<std::size_t>, 2> mismatch_part;
    // The drive's own state: its warning code; it left RUN by itself (dropout()); it refuses
    // RUN from the bus (run source on the keypad).
    std::uint8_t drive_warning = 0;
    bool ignores_run = false;
    std::uint16_t frequency_cmd_counts = 0;  // 0x2001 as the drive holds it (echoed in 0x2102)
    // Drive state as commanded.
    bool run = false;
    double speed_cmd_kmh = 0;
    bool lift_moving = false;
    double lift_target_pct = 0;
    BoardSettings settings;      // what configure() wrote
    bool settings_stick = true;  // false: the boards ignore configure() (a read-back differs)
    int configure_calls = 0;
    Board configure_fails_on = Board::motor;  // the board an injected configure failure is on

    // --- time on the bus (virtual; zero: transactions take no time) ---
    Duration transaction_time{};  // a transaction that gets a reply (good or not)
    Duration timeout_time{};      // one that times out: the request plus the response time-out
    Duration late_reply_guard{};  // after a time-out, the next request waits this long
    // The end of the last transaction (the clock of a cycle doing I/O).
    TimePoint busy_until() const { return busy_until_; }

    // The drive leaves RUN by itself (ramps to a stop) until RUN is written again.
    void dropout() { run = false; }
    // The drive's frequency command changes by itself (a brown-out clears it).
    void change_frequency_command(std::uint16_t counts);

    // --- failure injection ---
    // An injected write_drive failure still reaches the drive (only its reply is lost).
    bool failed_drive_writes_applied = false;
    // The next `count` calls of this kind fail with `error` (count < 0: until cleared).
    void fail(Call call, LinkError error, int count = -1);
    // Every call fails with a time-out (the bus is dead) until revived.
    void kill_bus() { bus_dead_ = true; }
    void revive_bus() { bus_dead_ = false; }
    // Every transaction that starts at or after `at` times out (the bus dies then).
    void kill_bus_at(TimePoint at) { dies_at_ = at; }
    void clear_failures();

    const std::vector<Record>& log() const { return log_; }
    void clear_log() { log_.clear(); }
    // The records of one kind of call.
    std::vector<Record> calls(Call call) const;

    // TreadmillHardware
    Result<DriveTelemetry, LinkError> read_drive(TimePoint now) override;
    Result<InclineTelemetry, LinkError> read_incline(TimePoint now) override;
    Result<Done, LinkError> write_drive(TimePoint now, const DriveWrite& w) override;
    // 3 Hz per km/h in 0.01 Hz counts, clamped to the drive's maximum speed.
    std::uint16_t frequency_counts(const DriveWrite& w) const override;
    Result<Done, LinkError> write_incline(TimePoint now, const InclineWrite& w) override;
    Result<Done, LinkError> reset_fault(TimePoint now, Board board) override;
    Result<BoardLimits, BoardLinkError> configure(TimePoint now, const BoardSettings& s) override;
    Result<ConfigCheck, LinkError> verify(TimePoint now, Board board) override;
    std::size_t readback_parts(Board board) const override;
    Result<ConfigCheck, LinkError> verify_part(TimePoint now, Board board,
                                               std::size_t part) override;

    // Runs the physics up to `now` (every call does this first).
    void advance(TimePoint now);

  private:
    // When a request asked for at `now` goes out: after the previous one and any quiet time.
    TimePoint begin(TimePoint now) const;
    std::optional<LinkError> injected(Call call, TimePoint at);
    // Logs the call and moves the bus's time on by what it cost.
    void record(TimePoint at, Call call, const std::optional<LinkError>& error, DriveWrite d = {},
                InclineWrite i = {}, Board b = Board::motor, std::size_t part = 0);
    void step_belt(double dt);
    void step_lift(double dt);

    std::optional<TimePoint> last_;
    bool bus_dead_ = false;
    std::optional<TimePoint> dies_at_;
    TimePoint busy_until_{};
    TimePoint quiet_until_{};
    struct Injection {
        LinkError error;
        int remaining = 0;
    };
    std::array<std::optional<Injection>, kCalls> injections_;
    std::vector<Record> log_;
};

}  // namespace treadmill::testing
