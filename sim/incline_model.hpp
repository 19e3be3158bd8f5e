// Unit 2, the incline board: lift with potentiometer and limits, roller sensor, key input,
// comm-loss dead-man and latched faults.
#pragma once

#include <cstdint>

#include "protocols/register_map.hpp"
#include "sim/register_board.hpp"

namespace treadmill::sim {

// The board's settings (kept across reboots).
struct InclineParams {
    std::int16_t max_incline = regmap::incline::kDefaultMaxIncline;
    std::int16_t min_incline = regmap::incline::kDefaultMinIncline;
    std::uint16_t comm_loss_timeout = 0;
    std::uint16_t comm_loss_treatment = regmap::incline::kCommLossIgnore;
    std::uint16_t roller_circumference = regmap::incline::kDefaultRollerCircumference;
};

class InclineModel : public RegisterBoard {
  public:
    static constexpr double kRatePctPerS = 0.6;
    static constexpr double kTrueCircumference = 2000.0;  // 0.1 mm, the real roller

    explicit InclineModel(TimePoint now) { power_on(now); }

    std::optional<std::uint16_t> read(std::uint16_t address) const override;
    std::uint8_t check_write(std::uint16_t address, std::uint16_t value) const override;
    void write(std::uint16_t address, std::uint16_t value, TimePoint now) override;
    void note_valid_request(TimePoint now) override;

    // Power-on: lift halted, no fault; parameters and deck position kept.
    void power_on(TimePoint now);
    void factory_reset() { params_ = InclineParams{}; }
    void set_key(bool present);
    void inject_fault(std::uint16_t code);
    void set_stalled(bool stalled) { stalled_ = stalled; }
    // Comm-loss check on the wall clock, then lift travel over `workout_dt` seconds.
    // `adc_noise` (-1, 0, +1) is added to the raw position.
    void tick(TimePoint now, double workout_dt, int adc_noise);
    // The belt as the roller sees it (true km/h and metres since power-on).
    void set_roller(double belt_kmh, double odometer_m);

    double actual_pct() const { return position_ / 10.0; }
    std::uint16_t status() const;
    std::uint16_t fault() const { return fault_; }
    std::int16_t target() const { return target_; }
    std::uint16_t command() const { return command_; }
    bool lift_driven() const;
    const InclineParams& params() const { return params_; }
    std::uint16_t roller_speed() const { return roller_speed_; }
    std::uint32_t odometer() const { return odometer_; }

  private:
    void check_comm_loss(TimePoint now);
    void move_lift(double workout_dt);
    double goal() const;
    std::uint16_t raw_position() const;
    std::uint16_t lift_current() const;
    void apply_control(std::uint16_t value);

    InclineParams params_;
    std::uint16_t command_ = regmap::incline::kCommandNone;
    std::int16_t target_ = 0;
    double position_ = 0.0;  // 0.1 % units
    bool calibrated_ = true;
    bool key_present_ = true;
    bool comm_lost_ = false;
    bool comm_warning_ = false;
    bool stalled_ = false;
    bool moving_ = false;
    bool moving_up_ = false;
    int adc_noise_ = 0;
    std::uint16_t fault_ = 0;
    std::uint16_t roller_speed_ = 0;
    std::uint32_t odometer_ = 0;
    TimePoint last_request_{};
};

}  // namespace treadmill::sim
