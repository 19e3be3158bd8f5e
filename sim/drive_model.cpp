// Unit 1, the motor drive.
#include "sim/drive_model.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace treadmill::sim {

namespace m = regmap::motor;
namespace ex = regmap::exception;

DriveParams factory_drive_params() {
    DriveParams p;
    p.frequency_source = 0;
    p.run_source = 0;
    p.reverse_disable = 0;
    return p;
}

void DriveModel::power_on(TimePoint now) {
    command_ = m::kCommandStop;
    frequency_command_ = 0;
    running_ = false;
    reverse_ = false;
    base_block_ = false;
    ef_input_ = false;
    comm_lost_ = false;
    fault_ = 0;
    warning_ = 0;
    warning_held_until_.reset();
    drop_next_frequency_write_ = false;
    output_hz_ = 0.0;
    output_current_a_ = 0.0;
    last_request_ = now;
    coasting_ = !key_present_;
    if (!key_present_) trip(m::kFaultExternal, true);
}

void DriveModel::factory_reset() {
    if (frequency_from_bus()) keypad_frequency_ = frequency_command_;
    params_ = factory_drive_params();
}

void DriveModel::leave_run() {
    running_ = false;
    command_ = m::kCommandStop;
    start_lockout_ = true;
}

std::uint8_t DriveModel::warning() const {
    return warning_held_until_ ? m::kWarningComm : warning_;
}

std::optional<std::uint16_t> DriveModel::read_parameter(std::uint16_t address) const {
    switch (address) {
        case m::kFrequencySource:
            return params_.frequency_source;
        case m::kRunSource:
            return params_.run_source;
        case m::kReverseDisable:
            return params_.reverse_disable;
        case m::kMaxFrequency:
            return params_.max_frequency;
        case m::kAccelTime:
            return params_.accel_time;
        case m::kDecelTime:
            return params_.decel_time;
        case m::kCommLossTreatment:
            return params_.comm_loss_treatment;
        case m::kCommLossTimeout:
            return params_.comm_loss_timeout;
        default:
            return std::nullopt;
    }
}

std::uint16_t DriveModel::status() const {
    std::uint16_t run = m::kStatusStopped;
    if (output_hz_ > 0.0) {
        run = running_ ? m::kStatusRunning : m::kStatusDecelerating;
    } else if (running_) {
        run = frequency_command_ > 0 ? m::kStatusRunning : m::kStatusStandby;
    }
    std::uint16_t s = run;
    if (reverse_) s |= m::kStatusReverse;
    if (params_.run_source == m::kRunSourceRs485) s |= m::kStatusRunFromComm;
    return s;
}

std::optional<std::uint16_t> DriveModel::read(std::uint16_t address) const {
    if (auto p = read_parameter(address)) return p;
    const auto scaled = [](double v) {
        return static_cast<std::uint16_t>(std::clamp(std::lround(v), 0L, 65535L));
    };
    switch (address) {
        case m::kCommand:
            return command_;
        case m::kFrequencyCommand:
            return frequency_command_;
        case m::kControl:
            return 0;
        case m::kFaultWarning:
            return static_cast<std::uint16_t>((warning() << 8) | fault_);
        case m::kStatus:
            return status();
        case m::kFrequencyEcho:
            return frequency_command_;
        case m::kOutputFrequency:
            return scaled(output_hz_ * 100.0);
        case m::kOutputCurrent:
            return scaled(output_current_a_ * 100.0);
        case m::kDcBusVoltage:
            return scaled(3110.0 - output_current_a_ * 20.0);
        case m::kOutputVoltage:
            return scaled(std::min(2200.0, 2200.0 * output_hz_ / 60.0));
        default:
            return std::nullopt;
    }
}

std::uint8_t DriveModel::check_parameter(std::uint16_t address, std::uint16_t value) const {
    const auto in = [value](int lo, int hi) {
        return value >= lo && value <= hi ? std::uint8_t{0} : ex::kIllegalValue;
    };
    switch (address) {
        case m::kFrequencySource:
            return in(0, 8);
        case m::kRunSource:
            return in(0, 5);
        case m::kReverseDisable:
            return in(0, 2);
        case m::kMaxFrequency:
            return in(1000, 60000);
        case m::kAccelTime:
        case m::kDecelTime:
            return in(0, 6000);
        case m::kCommLossTreatment:
            return in(0, 3);
        case m::kCommLossTimeout:
            return in(0, 1000);
        default:
            return ex::kIllegalAddress;
    }
}

std::uint8_t DriveModel::check_write(std::uint16_t address, std::uint16_t value) const {
    switch (address) {
        case m::kCommand: {
            if (value > 0x003F) return ex::kIllegalValue;
            const auto dir = value & m::kCommandDirectionMask;
            const bool wants_reverse = dir == m::kCommandDirectionReverse || dir == 0x0030;
            if (wants_reverse && params_.reverse_disable == m::kReverseDisabled) {
                return ex::kIllegalValue;
            }
            return 0;
        }
        case m::kFrequencyCommand:
            return value <= params_.max_frequency ? 0 : ex::kIllegalValue;
        case m::kControl:
            return value <= 0x0007 ? 0 : ex::kIllegalValue;
        default:
            if (read_parameter(address)) return check_parameter(address, value);
            return ex::kIllegalAddress;  // read-only or unlisted
    }
}

// From RS-485 only while Pr.00-21 says so (else the keypad runs the drive: the write is taken
// and ignored, so a STOP does not stop it).
void DriveModel::apply_command(std::uint16_t value) {
    if (!run_from_bus()) return;
    command_ = value;
    const auto dir = value & m::kCommandDirectionMask;
    if (dir == 0x0010) reverse_ = false;
    if (dir == m::kCommandDirectionReverse) reverse_ = true;
    if (dir == 0x0030) reverse_ = !reverse_;
    const auto run = value & 0x0003;
    if (run == 0x0001) running_ = start_lockout_ = false;
    // RUN is ignored while a fault holds: a reset never restarts, and a fault refuses RUN; after
    // leaving RUN by itself the drive needs a STOP before RUN again (a start lockout).
    if ((run == 0x0002 || run == 0x0003) && fault_ == 0 && !start_lockout_) running_ = true;
    if (fault_ != 0) command_ = m::kCommandStop;
}

void DriveModel::apply_control(std::uint16_t value) {
    ef_input_ = (value & m::kControlExternalFault) != 0;
    base_block_ = (value & m::kControlBaseBlock) != 0;
    if ((value & m::kControlFaultReset) != 0 && fault_ != 0) {
        const bool cause_present = fault_ == m::kFaultExternal && ef_cause_present();
        if (!cause_present) {
            fault_ = 0;
            comm_lost_ = false;
        }
    }
    if (ef_cause_present()) trip(m::kFaultExternal, true);
    coasting_ = base_block_ || (fault_ != 0 && coasting_);
}

void DriveModel::write(std::uint16_t address, std::uint16_t value, TimePoint /*now*/) {
    switch (address) {
        case m::kFrequencySource:
            params_.frequency_source = value;
            break;
        case m::kRunSource:
            params_.run_source = value;
            break;
        case m::kReverseDisable:
            params_.reverse_disable = value;
            break;
        case m::kMaxFrequency:
            params_.max_frequency = value;
            break;
        case m::kAccelTime:
            params_.accel_time = value;
            break;
        case m::kDecelTime:
            params_.decel_time = value;
            break;
        case m::kCommLossTreatment:
            params_.comm_loss_treatment = value;
            break;
        case m::kCommLossTimeout:
            params_.comm_loss_timeout = value;
            break;
        case m::kCommand:
            apply_command(value);
            break;
        case m::kFrequencyCommand:
            if (!std::exchange(drop_next_frequency_write_, false)) frequency_command_ = value;
            break;
        case m::kControl:
            apply_control(value);
            break;
        default:
            break;
    }
}

void DriveModel::note_valid_request(TimePoint now) {
    last_request_ = now;
    if (comm_lost_) {
        comm_lost_ = false;
        warning_ = m::kWarningNone;
    }
}

void DriveModel::set_key(bool present) {
    key_present_ = present;
    if (!present) trip(m::kFaultExternal, true);
}

void DriveModel::inject_fault(std::uint8_t code) {
    if (code == 0) return;
    trip(code, true);
}

void DriveModel::trip(std::uint8_t code, bool coast) {
    fault_ = code;
    command_ = m::kCommandStop;
    running_ = false;
    coasting_ = coast || base_block_;
    if (coasting_) output_hz_ = 0.0;
}

void DriveModel::check_comm_loss(TimePoint now) {
    const auto treatment = params_.comm_loss_treatment;
    if (params_.comm_loss_timeout == 0 || treatment == m::kCommLossIgnore || comm_lost_) return;
    if (seconds_between(last_request_, now) < params_.comm_loss_timeout / 10.0) return;
    comm_lost_ = true;
    warning_ = m::kWarningComm;
    if (treatment == m::kCommLossRampStop) trip(m::kFaultCommTimeout, false);
    if (treatment == m::kCommLossCoastStop) trip(m::kFaultCommTimeout, true);
}

double DriveModel::target_hz() const {
    if (!running_ || fault_ != 0) return 0.0;
    const std::uint16_t command = frequency_from_bus() ? frequency_command_ : keypad_frequency_;
    return std::min<double>(command, params_.max_frequency) / 100.0;
}

void DriveModel::tick(TimePoint now, double workout_dt) {
    if (warning_held_until_ && now >= *warning_held_until_) warning_held_until_.reset();
    check_comm_loss(now);
    if (coasting_) {
        output_hz_ = 0.0;
        return;
    }
    const double target = target_hz();
    const bool up = target > output_hz_;
    const double time = (up ? params_.accel_time : params_.decel_time) / 10.0;
    if (time <= 0.0) {
        output_hz_ = target;
    } else {
        const double step = max_hz() / time * workout_dt;
        output_hz_ = up ? std::min(target, output_hz_ + step) : std::max(target, output_hz_ - step);
    }
}

}  // namespace treadmill::sim
