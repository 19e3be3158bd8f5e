#include "controller/daemon/probe.hpp"

#include <memory>
#include <ostream>

#include "controller/daemon/hardware_setup.hpp"
#include "controller/daemon/probe_boards.hpp"

namespace treadmill::daemon {

namespace {

// The links of the config, one per distinct bus; opened, or the reason they are not.
struct ProbeLinks {
    std::unique_ptr<ModbusLink> motor;
    std::unique_ptr<ModbusLink> incline_own;  // only when the incline board has its own bus
    ModbusLink& incline() { return incline_own ? *incline_own : *motor; }
};

bool open_link(ModbusLink& link, std::ostream& out, std::ostream& err) {
    out << "bus " << describe(link.config()) << "\n";
    if (link.config().transport == Transport::rtu)
        for (const auto& holder : device_holders(link.config().device))
            out << "note: " << holder.comm << " (pid " << holder.pid << ") also has "
                << link.config().device << " open; it may take replies meant for the probe\n";
    auto opened = link.open(SteadyClock::now());
    if (!opened)
        err << "treadmilld: --probe: cannot open " << describe(link.config()) << ": "
            << opened.error().message << "\n";
    return static_cast<bool>(opened);
}

// --scan FIRST-LAST on the motor's bus: which unit ids answer, then each one's report.
int scan_units(ModbusLink& link, std::pair<int, int> range, const Config& config,
               std::ostream& out) {
    out << "scanning unit ids " << range.first << ".." << range.second << "\n";
    int found = 0;
    for (int unit = range.first; unit <= range.second; ++unit) {
        const auto kind = identify_unit(link, unit);
        if (!kind) continue;
        ++found;
        out << "unit " << unit << " answers: " << *kind << "\n";
        const std::string_view k = *kind;
        if (k == "motor drive") probe_drive(link, unit, config, out);
        if (k == "incline board") probe_incline(link, unit, config, out);
    }
    out << found << " unit(s) answered\n";
    return found > 0 ? 0 : 1;
}

}  // namespace

int run_probe(const Config& config, std::optional<std::pair<int, int>> scan, std::ostream& out,
              std::ostream& err) {
    using T = BusConfig::Transport;
    if (config.motor_bus().transport == T::sim || config.incline_bus().transport == T::sim) {
        err << "treadmilld: --probe reads real boards; the config's bus is the embedded "
               "simulator (bus.transport: sim)\n";
        return 2;
    }
    if (const auto holder = bus_holder(config)) {
        err << "treadmilld: --probe refused: " << *holder << "\n";
        return 1;
    }
    out << "treadmilld --probe: read-only, nothing is written to the boards\n";
    const HardwareConfig hw = hardware_config(config, std::nullopt);
    ProbeLinks links;
    links.motor = std::make_unique<ModbusLink>(hw.motor_link());
    if (!open_link(*links.motor, out, err)) return 1;
    if (scan) return scan_units(*links.motor, *scan, config, out);
    if (!hw.shared_bus()) {
        links.incline_own = std::make_unique<ModbusLink>(hw.incline_link());
        if (!open_link(*links.incline_own, out, err)) return 1;
    }

    const auto drive = probe_drive(*links.motor, config.motor.unit, config, out);
    const auto incline = probe_incline(links.incline(), config.incline.unit, config, out);
    if (incline.key_present)
        out << "safety key: " << (*incline.key_present ? "present" : "PULLED (absent)") << "\n";
    else
        out << "safety key: unknown (the incline board did not answer)\n";

    const bool answered =
        drive.answered && incline.answered && drive.failed_reads == 0 && incline.failed_reads == 0;
    const int problems = drive.problems + incline.problems;
    out << "result: motor drive (unit " << config.motor.unit << ") "
        << (drive.answered ? "answers" : "DOES NOT ANSWER") << ", incline board (unit "
        << config.incline.unit << ") " << (incline.answered ? "answers" : "DOES NOT ANSWER");
    if (problems > 0) out << "; " << problems << " setting(s) the daemon would refuse";
    out << (answered && problems == 0 ? "" : "; see above") << "\n";
    const bool all = answered && problems == 0;
    return all ? 0 : 1;
}

}  // namespace treadmill::daemon
