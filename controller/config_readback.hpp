// Rule S4's read-back of the boards' settings: in parts of one transaction each, round-robin over
// both boards, one part per control cycle (more only when the period is so long that a round
// would take over a second). Also what the controller does while board_config is latched: when
// the settings may be written again (at most once a second, to spare the drive's EEPROM) and
// whether they read back as configured again (a whole round without a difference).
#pragma once

#include <cstddef>
#include <optional>

#include "common/clock.hpp"
#include "protocols/treadmill_hardware.hpp"

namespace treadmill::controller {

class ConfigReadback {
  public:
    // Every board's settings are read back within this time.
    static constexpr Duration kRound = std::chrono::seconds(1);
    // While board_config is latched, the settings are written at most this often.
    static constexpr Duration kRewriteInterval = std::chrono::seconds(1);

    // The hardware must outlive the read-back.
    explicit ConfigReadback(TreadmillHardware& hardware) : hw_(hardware) {}

    // A new round from the drive's first part, nothing known (after connect configured the
    // boards and read them back whole).
    void restart();
    // The board whose part is read next.
    Board next_board() const { return board_; }
    // Parts to read per cycle of `period` so that a whole round takes at most kRound.
    std::size_t per_cycle(Duration period) const;
    // Reads the next part. A good read moves the round on (a failed one is tried again).
    Result<ConfigCheck, LinkError> read_next(TimePoint now);

    // A difference seen outside the round (connect's read-back).
    void note_mismatch();
    // The settings read back as configured: no difference since a whole round (after the last
    // rewrite) read them all.
    bool matched() const { return !mismatch_; }
    // A difference is known and the settings were not written in the last kRewriteInterval.
    bool rewrite_due(TimePoint now) const;
    // The settings were written again: a whole round must read them back before matched().
    void rewritten(TimePoint now);

  private:
    std::size_t total_parts() const;
    void advance();

    TreadmillHardware& hw_;
    Board board_ = Board::motor;
    std::size_t part_ = 0;
    bool mismatch_ = false;
    std::size_t clean_parts_ = 0;  // parts read as configured since the last difference/rewrite
    std::optional<TimePoint> last_rewrite_;
};

}  // namespace treadmill::controller
