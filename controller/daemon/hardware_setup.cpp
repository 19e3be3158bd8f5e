#include "controller/daemon/hardware_setup.hpp"

namespace treadmill::daemon {

namespace {

LinkConfig link_config(const BusConfig& bus) {
    LinkConfig link;
    link.transport = bus.transport == BusConfig::Transport::rtu ? Transport::rtu : Transport::tcp;
    link.device = bus.device;
    link.baud = bus.baud;
    link.parity = bus.parity == 'N' ? Parity::none : bus.parity == 'O' ? Parity::odd : Parity::even;
    link.stop_bits = bus.stop_bits;
    link.host = bus.host;
    link.port = static_cast<std::uint16_t>(bus.port);
    link.response_timeout = bus.response_timeout;
    return link;
}

LinkConfig simulator_link(std::uint16_t port, Duration response_timeout) {
    LinkConfig link;
    link.transport = Transport::tcp;
    link.host = "127.0.0.1";
    link.port = port;
    link.response_timeout = response_timeout;
    return link;
}

}  // namespace

HardwareConfig hardware_config(const Config& config, std::optional<std::uint16_t> sim_port) {
    HardwareConfig hw;
    if (sim_port) {
        hw.bus = simulator_link(*sim_port, config.bus.response_timeout);
    } else {
        hw.bus = link_config(config.bus);
        if (config.motor.bus) hw.motor_bus = link_config(*config.motor.bus);
        if (config.incline.bus) hw.incline_bus = link_config(*config.incline.bus);
    }
    hw.motor_unit = config.motor.unit;
    hw.incline_unit = config.incline.unit;
    hw.max_frequency_hz = config.motor.max_frequency_hz;
    hw.speed_at_max_frequency_kmh = config.motor.speed_at_max_frequency_kmh;
    return hw;
}

controller::ControlConfig control_config(const Config& config, double time_scale) {
    controller::ControlConfig c;
    c.limits = config.limits;
    c.period = config.control.period;
    c.countdown = config.control.countdown;
    c.max_pause = config.control.max_pause;
    c.watchdog = config.control.watchdog;
    c.comm_loss_failures = config.control.comm_loss_failures;
    c.time_scale = time_scale;
    c.shared_bus = hardware_config(config, std::nullopt).shared_bus();
    c.drive_comm_timeout_s = Seconds(config.motor.comm_timeout).count();
    c.incline_comm_timeout_s = Seconds(config.incline.comm_timeout).count();
    return c;
}

}  // namespace treadmill::daemon
