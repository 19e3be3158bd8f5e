// The belt: follows the drive's output (small slip under load), coasts with a time constant
// when the output is off, odometer; the motor current; runaway and stall faults.
#pragma once

namespace treadmill::sim {

struct BeltConfig {
    double kmh_per_hz = 20.0 / 60.0;  // 20 km/h at 60 Hz
    double coast_time_constant_s = 1.5;
    double coast_friction_kmh_per_s = 0.2;  // so a coast ends
    double follow_time_constant_s = 0.05;   // motor locked to the output, a little lag
    double runner_mass_kg = 75.0;
    double runaway_accel_kmh_per_s = 1.0;
    double runaway_max_kmh = 30.0;
};

// What the belt sees of the drive in one step.
struct DriveOutput {
    double hz = 0.0;
    bool active = true;  // false: output off, the belt coasts
};

class Physics {
  public:
    explicit Physics(BeltConfig config = {}) : config_(config) {}

    // Advances the belt by `dt` seconds of workout time.
    void step(double dt, DriveOutput drive, double incline_pct);

    double belt_kmh() const { return belt_kmh_; }
    double odometer_m() const { return odometer_m_; }
    void reset_odometer() { odometer_m_ = 0.0; }
    // The drive's output current for this belt state, amperes.
    double motor_current_a(DriveOutput drive, double incline_pct) const;
    // Slip fraction under the runner's load.
    double slip(double incline_pct) const;

    void set_runaway(bool on) { runaway_ = on; }
    void set_stalled(bool on) { stalled_ = on; }
    bool runaway() const { return runaway_; }
    bool stalled() const { return stalled_; }
    const BeltConfig& config() const { return config_; }

  private:
    BeltConfig config_;
    double belt_kmh_ = 0.0;
    double odometer_m_ = 0.0;
    bool runaway_ = false;
    bool stalled_ = false;
};

}  // namespace treadmill::sim
