// Unit 1, the motor drive: registers, access rules, ramp, faults, comm-loss dead-man, EF input.
#pragma once

#include <cstdint>
#include <optional>

#include "protocols/register_map.hpp"
#include "sim/register_board.hpp"

namespace treadmill::sim {

// The drive's parameters (kept across reboots, "EEPROM").
struct DriveParams {
    std::uint16_t frequency_source = regmap::motor::kFrequencySourceRs485;
    std::uint16_t run_source = regmap::motor::kRunSourceRs485;
    std::uint16_t reverse_disable = regmap::motor::kReverseDisabled;
    std::uint16_t max_frequency = regmap::motor::kDefaultMaxFrequency;
    std::uint16_t accel_time = regmap::motor::kDefaultAccelTime;
    std::uint16_t decel_time = regmap::motor::kDefaultDecelTime;
    std::uint16_t comm_loss_treatment = regmap::motor::kCommLossIgnore;
    std::uint16_t comm_loss_timeout = 0;
};

// Factory values: sources back to the keypad, reverse allowed, dead-man off.
DriveParams factory_drive_params();

class DriveModel : public RegisterBoard {
  public:
    explicit DriveModel(TimePoint now) { power_on(now); }

    std::optional<std::uint16_t> read(std::uint16_t address) const override;
    std::uint8_t check_write(std::uint16_t address, std::uint16_t value) const override;
    void write(std::uint16_t address, std::uint16_t value, TimePoint now) override;
    void note_valid_request(TimePoint now) override;

    // Power-on: stopped, no fault; parameters kept.
    void power_on(TimePoint now);
    // Factory parameters: the sources go to the keypad, so the drive keeps running at the
    // frequency it had and ignores RUN/STOP and the frequency from RS-485 until they are back.
    void factory_reset();
    // The drive leaves RUN by itself (STOP, ramping per Pr.01-13, no fault): as after a fault
    // it cleared itself between two polls.
    void leave_run();
    // The frequency command changes by itself (a brown-out of the control board clears it); the
    // brown-out lasts through the next frequency write, which is acknowledged and lost, so the
    // change shows at the next poll wherever in the cycle it happened.
    void lose_frequency_command(std::uint16_t counts) {
        frequency_command_ = counts;
        drop_next_frequency_write_ = true;
    }
    // Warning 1 (comm) shows until `until` (wall clock), whatever the requests.
    void hold_comm_warning(TimePoint until) { warning_held_until_ = until; }
    void clear_injections() {
        warning_held_until_.reset();
        drop_next_frequency_write_ = false;
    }
    // The safety-key circuit on the EF input.
    void set_key(bool present);
    // A board fault (coasts; the cause is gone at once, so a reset clears it).
    void inject_fault(std::uint8_t code);
    // Comm-loss check on the wall clock, then the output ramp over `workout_dt` seconds.
    void tick(TimePoint now, double workout_dt);
    void set_output_current(double amps) { output_current_a_ = amps; }

    double output_hz() const { return output_hz_; }
    double max_hz() const { return params_.max_frequency / 100.0; }
    // The inverter drives the motor (false: output off, the belt coasts).
    bool output_active() const { return !coasting_; }
    bool reverse() const { return reverse_; }
    std::uint8_t fault() const { return fault_; }
    std::uint8_t warning() const;
    std::uint16_t command() const { return command_; }
    std::uint16_t frequency_command() const { return frequency_command_; }
    const DriveParams& params() const { return params_; }
    std::uint16_t status() const;

  private:
    void trip(std::uint8_t code, bool coast);
    void check_comm_loss(TimePoint now);
    void apply_command(std::uint16_t value);
    void apply_control(std::uint16_t value);
    bool ef_cause_present() const { return !key_present_ || ef_input_; }
    bool run_from_bus() const { return params_.run_source == regmap::motor::kRunSourceRs485; }
    bool frequency_from_bus() const {
        return params_.frequency_source == regmap::motor::kFrequencySourceRs485;
    }
    double target_hz() const;
    std::optional<std::uint16_t> read_parameter(std::uint16_t address) const;
    std::uint8_t check_parameter(std::uint16_t address, std::uint16_t value) const;

    DriveParams params_;
    std::uint16_t command_ = regmap::motor::kCommandStop;
    std::uint16_t frequency_command_ = 0;
    bool running_ = false;
    bool start_lockout_ = false;  // left RUN by itself (drive_dropout): RUN needs a STOP first
    bool drop_next_frequency_write_ = false;  // drive_dropout frequency: the brown-out's write
    bool reverse_ = false;
    bool coasting_ = false;
    bool base_block_ = false;
    bool ef_input_ = false;
    bool key_present_ = true;
    bool comm_lost_ = false;
    std::uint8_t fault_ = 0;
    std::uint8_t warning_ = 0;
    std::optional<TimePoint> warning_held_until_;  // drive_dropout comm_warning
    std::uint16_t keypad_frequency_ = 0;           // used while the frequency source is not RS-485
    double output_hz_ = 0.0;
    double output_current_a_ = 0.0;
    TimePoint last_request_{};
};

}  // namespace treadmill::sim
