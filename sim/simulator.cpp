// The simulator core: timers, physics steps and request handling.
#include "sim/simulator.hpp"

#include <algorithm>
#include <cmath>

namespace treadmill::sim {

namespace {
BeltConfig belt_config(const SimOptions& options) {
    BeltConfig c;
    c.runner_mass_kg = options.runner_mass_kg;
    return c;
}
}  // namespace

Simulator::Simulator(TimePoint now, const SimOptions& options)
    : options_(options),
      start_(now),
      last_(now),
      drive_(now),
      incline_(now),
      physics_(belt_config(options)),
      rng_(options.noise_seed) {}

bool Simulator::rebooting(int unit, TimePoint now) const {
    if (unit < 1 || unit > 2) return false;
    const auto& until = reboot_until_[static_cast<std::size_t>(unit)];
    return until && now < *until;
}

RegisterBoard& Simulator::board(int unit) {
    if (unit == 1) return drive_;
    return incline_;
}

void Simulator::finish_reboots(TimePoint now) {
    for (int unit = 1; unit <= 2; ++unit) {
        auto& until = reboot_until_[static_cast<std::size_t>(unit)];
        if (!until || now < *until) continue;
        if (unit == 1) {
            drive_.power_on(*until);
        } else {
            incline_.power_on(*until);
            physics_.reset_odometer();
        }
        until.reset();
    }
}

// One physics step of `workout_dt` seconds; comm-loss timers look at `now` (wall).
void Simulator::step(TimePoint now, double workout_dt) {
    const bool drive_down = rebooting(1, now);
    const bool incline_down = rebooting(2, now);
    if (!drive_down) drive_.tick(now, workout_dt);
    std::uniform_int_distribution<int> noise(-1, 1);
    if (!incline_down) incline_.tick(now, workout_dt, noise(rng_));
    const DriveOutput out{drive_down ? 0.0 : drive_.output_hz(),
                          !drive_down && drive_.output_active()};
    const double incline_pct = incline_.actual_pct();
    physics_.step(workout_dt, out, incline_pct);
    drive_.set_output_current(physics_.motor_current_a(out, incline_pct));
    if (!incline_down) incline_.set_roller(physics_.belt_kmh(), physics_.odometer_m());
}

void Simulator::advance(TimePoint now) {
    if (now <= last_) return;
    const double workout_dt = seconds_between(last_, now) * options_.time_scale;
    const int steps = std::max(1, static_cast<int>(std::ceil(workout_dt / 0.01)));
    finish_reboots(now);
    for (int i = 0; i < steps; ++i) step(now, workout_dt / steps);
    workout_s_ += workout_dt;
    last_ = now;
}

void Simulator::record(TimePoint now, int unit, const WriteAttempt& attempt) {
    writes_.push_back(WriteRecord{seconds_between(start_, now), unit, attempt});
    if (writes_.size() > kMaxRecordedWrites) writes_.pop_front();
}

ReplyPlan Simulator::handle(TimePoint now, std::uint8_t unit, std::span<const std::uint8_t> pdu) {
    advance(now);
    ReplyPlan plan;
    plan.unit = unit;
    const bool ours = unit == 1 || unit == 2;
    if (!ours || injector_.silent(now) || rebooting(unit, now) || injector_.take_drop(unit)) {
        plan.send = false;
        return plan;
    }
    board(unit).note_valid_request(now);
    if (auto code = injector_.take_exception(unit)) {
        const std::uint8_t function = pdu.empty() ? 0 : pdu[0];
        plan.pdu = exception_pdu(function, static_cast<std::uint8_t>(*code));
    } else {
        plan.pdu = execute_pdu(board(unit), pdu, now,
                               [&](const WriteAttempt& a) { record(now, unit, a); });
    }
    injector_.shape(unit, plan);
    return plan;
}

void Simulator::set_key(bool present, TimePoint now) {
    if (present != key_present_) key_changed_ = now;
    key_present_ = present;
    drive_.set_key(present);
    incline_.set_key(present);
}

void Simulator::reboot(int unit, TimePoint now) {
    advance(now);
    reboot_until_[static_cast<std::size_t>(unit)] =
        now + std::chrono::duration_cast<Duration>(Seconds(kRebootSeconds));
}

void Simulator::clear_injections(TimePoint now) {
    injector_.clear();
    physics_.set_runaway(false);
    physics_.set_stalled(false);
    incline_.set_stalled(false);
    drive_.clear_injections();
    if (!key_present_) set_key(true, now);
}

}  // namespace treadmill::sim
