// Health of the two board links: consecutive failures per bus and per board, last good reply,
// error counts, and which board is out for the rest of the current cycle (rule S2: a board
// whose transaction failed, every board on a bus where a transaction timed out).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/clock.hpp"
#include "protocols/link_error.hpp"
#include "protocols/treadmill_hardware.hpp"

namespace treadmill::controller {

struct LinkStats {
    std::optional<TimePoint> last_good;  // last successful transaction with this board
    std::uint64_t errors = 0;            // failed transactions since start
    bool last_ok = false;                // the most recent transaction succeeded
    std::optional<LinkError> last_error;
};

// What changed in a board's link since the last look (LinkMonitor::note_link).
enum class LinkChange { none, lost, reopened };

// One board's view for the supervisor.
struct LinkObservation {
    std::optional<TimePoint> last_good;
    int bus_consecutive_failures = 0;
    int board_consecutive_failures = 0;        // this board's own, whatever the other board did
    std::vector<LinkError> errors_this_cycle;  // at most LinkMonitor::kErrorsKept, newest last
};

class LinkMonitor {
  public:
    // Errors kept for the supervisor's next look: a cycle makes a handful of transactions, but
    // `connecting` retries once a second without a look (a switched-off treadmill) and must not
    // grow the list without bound. The oldest go first.
    static constexpr std::size_t kErrorsKept = 16;

    explicit LinkMonitor(bool shared_bus) : shared_bus_(shared_bus) {}

    // Forgets which boards failed (and which buses timed out) in the previous cycle.
    void begin_cycle();
    // Forgets the errors the supervisor has seen (those recorded later stay for the next look).
    void errors_seen();
    void record_success(Board b, TimePoint now);
    void record_failure(Board b, const LinkError& e);
    // Whether this board's remaining transactions are skipped in this cycle: one of its own
    // failed, or one on its bus timed out (a dead bus costs one time-out per cycle, not one per
    // board: the cycle ends within the period plus one time-out).
    bool failed_this_cycle(Board b) const { return slot(b).failed_this_cycle || bus_timed_out(b); }

    const LinkStats& stats(Board b) const { return slot(b).stats; }
    LinkObservation observation(Board b) const;
    // Treats both boards as freshly heard from (after connect or a reset).
    void mark_fresh(TimePoint now);
    // Compares a board's link health with the previous look: lost (was open, is not) or
    // reopened (a successful open after the first: the board behind it may have restarted).
    LinkChange note_link(Board b, const LinkHealth& health);

  private:
    struct Slot {
        LinkStats stats;
        bool failed_this_cycle = false;
        int consecutive_failures = 0;
        std::vector<LinkError> errors_this_cycle;
        bool link_open = false;
        std::uint64_t link_opens = 0;
    };
    Slot& slot(Board b) { return b == Board::motor ? motor_ : incline_; }
    const Slot& slot(Board b) const { return b == Board::motor ? motor_ : incline_; }
    int& bus_failures(Board b);
    int bus_failures(Board b) const;
    bool& bus_timed_out(Board b);
    bool bus_timed_out(Board b) const;

    bool shared_bus_;
    Slot motor_, incline_;
    int motor_bus_failures_ = 0;
    int incline_bus_failures_ = 0;
    bool motor_bus_timed_out_ = false;  // this cycle (the shared bus uses the motor's)
    bool incline_bus_timed_out_ = false;
};

}  // namespace treadmill::controller
