// Unit 2, the incline board.
#include "sim/incline_model.hpp"

#include <algorithm>
#include <cmath>

namespace treadmill::sim {

namespace in = regmap::incline;
namespace ex = regmap::exception;

void InclineModel::power_on(TimePoint now) {
    command_ = in::kCommandNone;
    target_ = static_cast<std::int16_t>(std::lround(position_));
    comm_lost_ = false;
    comm_warning_ = false;
    moving_ = false;
    fault_ = 0;
    roller_speed_ = 0;
    odometer_ = 0;
    last_request_ = now;
}

bool InclineModel::lift_driven() const {
    const bool commanded = command_ == in::kCommandMove || command_ == in::kCommandCalibrate;
    return commanded && fault_ == 0 && key_present_;
}

double InclineModel::goal() const {
    return command_ == in::kCommandCalibrate ? params_.min_incline : target_;
}

std::uint16_t InclineModel::status() const {
    std::uint16_t s = 0;
    if (moving_) s |= in::kStatusMoving;
    if (moving_ && moving_up_) s |= in::kStatusDirectionUp;
    if (std::abs(position_ - target_) <= 2.0) s |= in::kStatusAtTarget;
    if (calibrated_) s |= in::kStatusCalibrated;
    if (position_ <= params_.min_incline + 0.5) s |= in::kStatusLowerLimit;
    if (position_ >= params_.max_incline - 0.5) s |= in::kStatusUpperLimit;
    if (comm_warning_) s |= in::kStatusCommWarning;
    if (fault_ != 0) s |= in::kStatusFault;
    if (key_present_) s |= in::kStatusKeyPresent;
    return s;
}

std::uint16_t InclineModel::raw_position() const {
    const long counts = std::lround(300.0 + 4.0 * position_) + adc_noise_;
    return static_cast<std::uint16_t>(std::clamp(counts, 0L, 1023L));
}

std::uint16_t InclineModel::lift_current() const {
    if (!moving_) return 5;
    return static_cast<std::uint16_t>(moving_up_ ? 180 : 90);
}

std::optional<std::uint16_t> InclineModel::read(std::uint16_t address) const {
    const auto u = [](std::int16_t v) { return static_cast<std::uint16_t>(v); };
    switch (address) {
        case in::kCommand:
            return command_;
        case in::kTarget:
            return u(target_);
        case in::kControl:
            return 0;
        case in::kMaxIncline:
            return u(params_.max_incline);
        case in::kCommLossTimeout:
            return params_.comm_loss_timeout;
        case in::kCommLossTreatment:
            return params_.comm_loss_treatment;
        case in::kMinIncline:
            return u(params_.min_incline);
        case in::kRollerCircumference:
            return params_.roller_circumference;
        case in::kStatus:
            return status();
        case in::kActualIncline:
            return u(static_cast<std::int16_t>(std::lround(position_)));
        case in::kRawPosition:
            return raw_position();
        case in::kFaultCode:
            return fault_;
        case in::kLiftCurrent:
            return lift_current();
        case in::kRollerSpeed:
            return roller_speed_;
        case in::kOdometerHigh:
            return static_cast<std::uint16_t>(odometer_ >> 16);
        case in::kOdometerLow:
            return static_cast<std::uint16_t>(odometer_ & 0xFFFF);
        default:
            return std::nullopt;
    }
}

std::uint8_t InclineModel::check_write(std::uint16_t address, std::uint16_t value) const {
    const auto s = static_cast<std::int16_t>(value);
    const auto in_range = [](int v, int lo, int hi) {
        return v >= lo && v <= hi ? std::uint8_t{0} : ex::kIllegalValue;
    };
    switch (address) {
        case in::kCommand:
            return in_range(value, 0, 3);
        case in::kTarget:
            return in_range(s, params_.min_incline, params_.max_incline);
        case in::kControl:
            return in_range(value, 0, 3);
        case in::kMaxIncline:
            return in_range(s, 0, 400);
        case in::kCommLossTimeout:
            return in_range(value, 0, 600);
        case in::kCommLossTreatment:
            return value == 0 || value == 1 || value == 3 ? 0 : ex::kIllegalValue;
        case in::kMinIncline:
            return in_range(s, -300, 150);
        case in::kRollerCircumference:
            return in_range(value, 500, 10000);
        default:
            return ex::kIllegalAddress;  // read-only or unlisted
    }
}

void InclineModel::apply_control(std::uint16_t value) {
    if ((value & in::kControlFaultReset) != 0) {
        fault_ = 0;
        comm_lost_ = false;
    }
}

void InclineModel::write(std::uint16_t address, std::uint16_t value, TimePoint /*now*/) {
    const auto s = static_cast<std::int16_t>(value);
    switch (address) {
        case in::kCommand:
            command_ = value;
            break;
        case in::kTarget:
            target_ = s;
            break;
        case in::kControl:
            apply_control(value);
            break;
        case in::kMaxIncline:
            params_.max_incline = s;
            break;
        case in::kCommLossTimeout:
            params_.comm_loss_timeout = value;
            break;
        case in::kCommLossTreatment:
            params_.comm_loss_treatment = value;
            break;
        case in::kMinIncline:
            params_.min_incline = s;
            break;
        case in::kRollerCircumference:
            params_.roller_circumference = value;
            break;
        default:
            break;
    }
}

void InclineModel::note_valid_request(TimePoint now) {
    last_request_ = now;
    comm_lost_ = false;
    comm_warning_ = false;
}

void InclineModel::set_key(bool present) {
    key_present_ = present;
    if (!present) command_ = in::kCommandStop;
}

void InclineModel::inject_fault(std::uint16_t code) {
    if (code == 0) return;
    fault_ = code;
    command_ = in::kCommandStop;
}

void InclineModel::check_comm_loss(TimePoint now) {
    const auto treatment = params_.comm_loss_treatment;
    if (params_.comm_loss_timeout == 0 || treatment == in::kCommLossIgnore || comm_lost_) return;
    if (seconds_between(last_request_, now) < params_.comm_loss_timeout / 10.0) return;
    comm_lost_ = true;
    comm_warning_ = true;
    if (treatment == in::kCommLossStopLift) inject_fault(in::kFaultCommTimeout);
}

void InclineModel::move_lift(double workout_dt) {
    moving_ = false;
    if (!lift_driven()) return;
    const double want = std::clamp<double>(goal(), params_.min_incline, params_.max_incline);
    const double diff = want - position_;
    if (std::abs(diff) < 1e-9) {
        if (command_ == in::kCommandCalibrate) {
            calibrated_ = true;
            command_ = in::kCommandNone;
        }
        return;
    }
    moving_ = true;
    moving_up_ = diff > 0;
    if (stalled_) return;  // driven, but the deck does not move
    const double step = kRatePctPerS * 10.0 * workout_dt;
    position_ += std::clamp(diff, -step, step);
}

void InclineModel::tick(TimePoint now, double workout_dt, int adc_noise) {
    check_comm_loss(now);
    adc_noise_ = adc_noise;
    move_lift(workout_dt);
}

void InclineModel::set_roller(double belt_kmh, double odometer_m) {
    // The board counts roller turns and multiplies by the circumference it was told: a larger
    // configured circumference than the true one reads proportionally faster.
    const double ratio = static_cast<double>(params_.roller_circumference) / kTrueCircumference;
    const double kmh = std::clamp(belt_kmh * ratio * 100.0, 0.0, 65535.0);
    roller_speed_ = static_cast<std::uint16_t>(std::lround(kmh));
    const double counts = std::clamp(odometer_m * ratio * 100.0, 0.0, 4294967295.0);
    odometer_ = static_cast<std::uint32_t>(std::llround(counts));
}

}  // namespace treadmill::sim
