// The safety invariants of the fuzz_supervisor target, checked on the FakeTreadmill's log of
// writes after every control cycle (rules S1, S2, S8, S9).
#pragma once

#include <cstddef>
#include <optional>

#include "controller/config.hpp"
#include "controller/control_cycle.hpp"
#include "tests/controller/fake_treadmill.hpp"

namespace treadmill::fuzz {

// What held when a cycle began (faults: or by its end): a RUN written in that cycle is a
// violation if any is set.
struct CycleContext {
    bool fault_latched = false;  // a fault was latched (or state fault) before the cycle
    bool key_out = false;        // the safety key was out on the fake
    bool bus_dead = false;       // every transaction fails
    bool drive_fault = false;    // the drive reported a fault code (seen if its read succeeds)
    bool incline_fault = false;  // the incline board reported a fault code (same)
};

class WriteChecker {
  public:
    explicit WriteChecker(const controller::Limits& limits, double time_scale)
        : limits_(limits), time_scale_(time_scale) {}

    // Checks the log records written since the previous call; traps on a violation.
    void check(const testing::FakeTreadmill& hw, const CycleContext& before);
    // Runs one cycle at `now` and checks what it wrote. A fault latched in the cycle forbids
    // every RUN written after the latch (the fake records, at each call, whether one was):
    // most latch before the writes (supervise, loop stall, API), but a transaction failing
    // after the drive's write (the lift's write, the S4 read-back) latches after a RUN that
    // was right when it was written, and STOP must then follow at once (S1).
    void checked_cycle(controller::ControlCycle& cycle, testing::FakeTreadmill& hw, bool bus_dead,
                       TimePoint now);

    // What the checks saw (for the statistics): RUN writes and the fastest one.
    unsigned long run_writes() const { return run_writes_; }
    double max_run_speed() const { return max_run_speed_; }

  private:
    void check_drive_write(const testing::FakeTreadmill::Record& r, bool forbid_run);
    void check_ramp(const testing::FakeTreadmill::Record& r);
    void check_rate(const testing::FakeTreadmill::Record& from,
                    const testing::FakeTreadmill::Record& to);
    void check_incline_write(const testing::FakeTreadmill::Record& r);

    controller::Limits limits_;
    double time_scale_;
    std::size_t seen_ = 0;
    // The previous drive write, when it was a RUN.
    std::optional<testing::FakeTreadmill::Record> last_run_;
    bool latched_ = false;  // a fault latched at the end of the last cycle
    // Where the current monotonic stretch of RUN writes began, and its direction (+1 up, -1
    // down, 0 not yet known): the rate is checked over the whole stretch, not just per step,
    // since one grid step of quantization is as large as a cycle's change.
    std::optional<testing::FakeTreadmill::Record> anchor_;
    int direction_ = 0;
    unsigned long run_writes_ = 0;
    double max_run_speed_ = 0;
};

}  // namespace treadmill::fuzz
