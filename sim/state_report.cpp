// The "state" reply: physical state, board registers, injections and the write record.
#include "sim/simulator.hpp"

namespace treadmill::sim {

namespace {

using nlohmann::json;

json drive_state(const DriveModel& d) {
    const auto& p = d.params();
    return json{{"output_hz", d.output_hz()},
                {"output_active", d.output_active()},
                {"reverse", d.reverse()},
                {"fault", d.fault()},
                {"warning", d.warning()},
                {"status", d.status()},
                {"command", d.command()},
                {"frequency_command", d.frequency_command()},
                {"params",
                 {{"frequency_source", p.frequency_source},
                  {"run_source", p.run_source},
                  {"reverse_disable", p.reverse_disable},
                  {"max_frequency", p.max_frequency},
                  {"accel_time", p.accel_time},
                  {"decel_time", p.decel_time},
                  {"comm_loss_treatment", p.comm_loss_treatment},
                  {"comm_loss_timeout", p.comm_loss_timeout}}}};
}

json incline_state(const InclineModel& i) {
    const auto& p = i.params();
    return json{{"actual_pct", i.actual_pct()},
                {"target", i.target()},
                {"command", i.command()},
                {"status", i.status()},
                {"fault", i.fault()},
                {"roller_speed", i.roller_speed()},
                {"odometer", i.odometer()},
                {"params",
                 {{"max_incline", p.max_incline},
                  {"min_incline", p.min_incline},
                  {"comm_loss_timeout", p.comm_loss_timeout},
                  {"comm_loss_treatment", p.comm_loss_treatment},
                  {"roller_circumference", p.roller_circumference}}}};
}

}  // namespace

json Simulator::state(TimePoint now) const {
    return state(now, -1.0);
}

json Simulator::state(TimePoint now, double writes_since) const {
    json writes = json::array();
    for (const auto& w : writes_) {
        if (w.wall_s <= writes_since) continue;
        writes.push_back(json{{"t", w.wall_s},
                              {"unit", w.unit},
                              {"address", w.write.address},
                              {"values", w.write.values},
                              {"exception", w.write.exception}});
    }
    return json{{"wall_s", seconds_between(start_, now)},
                {"workout_s", workout_s_},
                {"key_present", key_present_},
                {"key_changed_s",
                 key_changed_ ? json(seconds_between(start_, *key_changed_)) : json(nullptr)},
                {"belt_kmh", physics_.belt_kmh()},
                {"odometer_m", physics_.odometer_m()},
                {"runaway", physics_.runaway()},
                {"belt_stalled", physics_.stalled()},
                {"rebooting", {{"1", rebooting(1, now)}, {"2", rebooting(2, now)}}},
                {"drive", drive_state(drive_)},
                {"incline", incline_state(incline_)},
                {"injections", injector_.describe(now)},
                {"writes", writes}};
}

}  // namespace treadmill::sim
