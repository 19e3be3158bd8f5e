// Belt distance from the incline board's odometer (uint32, 0.01 m, wraps at 2^32): the advance
// between good reads, wrap-safe, robust to missed polls, and re-based when the board restarts.
#pragma once

#include <cstdint>
#include <optional>

namespace treadmill::controller {

class Odometer {
  public:
    // The largest advance accepted per second of workout time between two reads (a reboot of
    // the board makes the counter jump; that jump is never counted).
    explicit Odometer(double max_speed_kmh) : max_speed_kmh_(max_speed_kmh) {}

    // A good read at `workout_s`; returns the metres added since the previous good read.
    double update(std::uint32_t odometer_cm, double workout_s);
    // Forgets the previous read (the next one becomes the new base).
    void rebase() { last_.reset(); }

  private:
    double max_speed_kmh_;
    struct Read {
        std::uint32_t cm = 0;
        double workout_s = 0;
    };
    std::optional<Read> last_;
};

}  // namespace treadmill::controller
