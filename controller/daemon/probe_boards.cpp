#include "controller/daemon/probe_boards.hpp"

#include <cstdio>
#include <ostream>
#include <string>

#include "controller/daemon/hardware_setup.hpp"
#include "protocols/drive_profile.hpp"
#include "protocols/incline_board.hpp"
#include "protocols/motor_drive.hpp"
#include "protocols/register_map.hpp"

namespace treadmill::daemon {

namespace {

namespace m = regmap::motor;
namespace i = regmap::incline;

std::string fixed(double value, int decimals) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

std::string error_text(const LinkError& e) {
    if (e.kind == LinkError::Kind::exception)
        return "exception " + std::to_string(e.exception_code) + " (" + e.message + ")";
    if (e.kind == LinkError::Kind::timeout) return "no answer (time-out)";
    return std::string(to_string(e.kind)) + ": " + e.message;
}

// Reads blocks of one unit (FC03 only) and prints the ones that fail.
class BlockReader {
  public:
    BlockReader(ModbusLink& link, int unit, std::ostream& out, BoardFindings& findings)
        : link_(link), unit_(unit), out_(out), findings_(findings) {}

    std::optional<Registers> read(std::uint16_t address, int count, const char* what) {
        auto regs = link_.read_registers(SteadyClock::now(), unit_, address, count);
        if (!regs) {
            ++findings_.failed_reads;
            out_ << "  " << what << ": " << error_text(regs.error()) << "\n";
            return std::nullopt;
        }
        findings_.answered = true;
        return *regs;
    }

  private:
    ModbusLink& link_;
    int unit_;
    std::ostream& out_;
    BoardFindings& findings_;
};

// "ok" or "differs: the daemon writes V at connect".
std::string against(std::uint16_t actual, std::uint16_t wanted, const std::string& wanted_text) {
    return actual == wanted ? "ok" : "differs: the daemon writes " + wanted_text + " at connect";
}

// "ok (meaning)", or the value the register map requires (the daemon writes it at connect).
std::string against_required(std::uint16_t actual, std::uint16_t required, const char* meaning) {
    if (actual == required) return std::string("ok (") + meaning + ")";
    return "REQUIRED " + std::to_string(required) + " (" + meaning +
           "): the daemon writes it at connect; set it on the keypad too (hardware.md)";
}

const char* run_state(std::uint16_t status) {
    switch (status & m::kStatusRunMask) {
        case m::kStatusStopped:
            return "stopped";
        case m::kStatusDecelerating:
            return "decelerating";
        case m::kStatusStandby:
            return "standby";
        default:
            return "running";
    }
}

void print_drive_settings(BlockReader& reader, const Config& config, std::ostream& out,
                          BoardFindings& findings) {
    const auto profile = reference_drive_profile();
    const auto sources = reader.read(m::kFrequencySource, 2, "Pr.00-20/00-21");
    if (sources) {
        out << "  Pr.00-20 frequency source = " << (*sources)[0] << ": "
            << against_required((*sources)[0], m::kFrequencySourceRs485, "RS-485") << "\n";
        out << "  Pr.00-21 run command source = " << (*sources)[1] << ": "
            << against_required((*sources)[1], m::kRunSourceRs485, "RS-485") << "\n";
    }
    if (const auto reverse = reader.read(m::kReverseDisable, 1, "Pr.00-23"))
        out << "  Pr.00-23 reverse = " << (*reverse)[0] << ": "
            << against_required((*reverse)[0], m::kReverseDisabled, "reverse disabled") << "\n";
    double max_hz = config.motor.max_frequency_hz;
    if (const auto max = reader.read(m::kMaxFrequency, 1, "Pr.01-00")) {
        max_hz = counts_to_frequency(profile, (*max)[0]);
        const double top =
            config.motor.speed_at_max_frequency_kmh * max_hz / config.motor.max_frequency_hz;
        out << "  Pr.01-00 maximum frequency = " << fixed(max_hz, 2) << " Hz: the belt's top speed "
            << fixed(top, 1) << " km/h";
        if (config.limits.max_speed_kmh > top + 1e-6) {
            ++findings.problems;
            out << " is BELOW limits.max_speed " << fixed(config.limits.max_speed_kmh, 1)
                << " km/h: the daemon refuses to run (board_config)\n";
        } else {
            out << ": ok (limits.max_speed " << fixed(config.limits.max_speed_kmh, 1) << " km/h)\n";
        }
    }
    const auto hw = hardware_config(config, std::nullopt);
    const auto wanted =
        drive_parameters(control_config(config, 1.0).board_settings(), profile,
                         SpeedScale{hw.max_frequency_hz, hw.speed_at_max_frequency_kmh}, max_hz);
    const auto want = [&](std::uint16_t address) {
        for (const auto& p : wanted)
            if (p.address == address) return p.value;
        return std::uint16_t{0};
    };
    if (const auto ramps = reader.read(m::kAccelTime, 2, "Pr.01-12/01-13")) {
        out << "  Pr.01-12 acceleration time = " << fixed((*ramps)[0] * 0.1, 1) << " s: "
            << against((*ramps)[0], want(m::kAccelTime), fixed(want(m::kAccelTime) * 0.1, 1) + " s")
            << "\n";
        out << "  Pr.01-13 deceleration time = " << fixed((*ramps)[1] * 0.1, 1) << " s: "
            << against((*ramps)[1], want(m::kDecelTime), fixed(want(m::kDecelTime) * 0.1, 1) + " s")
            << "\n";
    }
    if (const auto comm = reader.read(m::kCommLossTreatment, 2, "Pr.09-02/09-03")) {
        out << "  Pr.09-02 comm-loss treatment = " << (*comm)[0] << ": "
            << against((*comm)[0], want(m::kCommLossTreatment),
                       std::to_string(want(m::kCommLossTreatment)) + " (ramp stop)")
            << "\n";
        out << "  Pr.09-03 comm-loss time-out = " << fixed((*comm)[1] * 0.1, 1) << " s: "
            << against((*comm)[1], want(m::kCommLossTimeout),
                       fixed(want(m::kCommLossTimeout) * 0.1, 1) + " s (motor.comm_timeout)")
            << "\n";
    }
}

}  // namespace

BoardFindings probe_drive(ModbusLink& link, int unit, const Config& config, std::ostream& out) {
    BoardFindings findings;
    BlockReader reader(link, unit, out, findings);
    out << "unit " << unit << ": motor drive\n";
    print_drive_settings(reader, config, out, findings);
    if (const auto t = reader.read(m::kTelemetryStart, m::kTelemetryCount, "telemetry 0x2100")) {
        const auto& r = *t;
        const auto fault = static_cast<std::uint8_t>(r[0] & 0xFF);
        const auto warning = static_cast<std::uint8_t>(r[0] >> 8);
        findings.fault = fault;
        out << "  fault " << int(fault) << " (" << m::fault_name(fault) << "), warning "
            << int(warning) << " (" << m::warning_name(warning) << ")\n";
        if (fault == m::kFaultExternal)
            out << "  EF: the safety-key circuit is open (or EF was set); the drive will not run\n";
        out << "  status " << run_state(r[1])
            << ((r[1] & m::kStatusDirectionMask) == m::kStatusReverse ? ", reverse" : ", forward")
            << ((r[1] & m::kStatusRunFromComm) ? ", run command from RS-485" : "") << "\n";
        out << "  frequency command " << fixed(r[2] * 0.01, 2) << " Hz, output "
            << fixed(r[3] * 0.01, 2) << " Hz, " << fixed(r[4] * 0.01, 2) << " A, DC bus "
            << fixed(r[5] * 0.1, 1) << " V, output " << fixed(r[6] * 0.1, 1) << " V\n";
    }
    return findings;
}

BoardFindings probe_incline(ModbusLink& link, int unit, const Config& config, std::ostream& out) {
    BoardFindings findings;
    BlockReader reader(link, unit, out, findings);
    out << "unit " << unit << ": incline board\n";
    if (const auto cmd = reader.read(i::kCommand, 2, "0x0000 command/target"))
        out << "  command " << (*cmd)[0] << ", target "
            << fixed(static_cast<std::int16_t>((*cmd)[1]) * 0.1, 1) << " %\n";
    const auto settings = control_config(config, 1.0).board_settings();
    const auto wanted = incline_parameters(settings);
    if (const auto s = reader.read(i::kMaxIncline, 5, "0x0010 settings")) {
        const auto& r = *s;
        const double max = static_cast<std::int16_t>(r[0]) * 0.1;
        const double min = static_cast<std::int16_t>(r[3]) * 0.1;
        const bool fits = min <= config.limits.min_incline_pct + 1e-6 &&
                          max + 1e-6 >= config.limits.max_incline_pct;
        if (!fits) ++findings.problems;
        out << "  incline limits " << fixed(min, 1) << " % .. " << fixed(max, 1)
            << " %: " << (fits ? "ok" : "NARROWER than") << " limits "
            << fixed(config.limits.min_incline_pct, 1) << " % .. "
            << fixed(config.limits.max_incline_pct, 1) << " %"
            << (fits ? "" : ": the daemon refuses to run (board_config)") << "\n";
        out << "  0x0011 comm-loss time-out = " << fixed(r[1] * 0.1, 1) << " s: "
            << against(r[1], wanted[0].value,
                       fixed(wanted[0].value * 0.1, 1) + " s (incline.comm_timeout)")
            << "\n";
        out << "  0x0012 comm-loss treatment = " << r[2] << ": "
            << against(r[2], wanted[1].value, std::to_string(wanted[1].value) + " (stop the lift)")
            << "\n";
        out << "  roller circumference " << fixed(r[4] * 0.1, 1) << " mm\n";
    }
    if (const auto t = reader.read(i::kTelemetryStart, i::kTelemetryCount, "telemetry 0x0100")) {
        const auto& r = *t;
        const std::uint16_t status = r[0];
        findings.key_present = (status & i::kStatusKeyPresent) != 0;
        findings.fault = r[3];
        out << "  status" << ((status & i::kStatusCalibrated) ? " calibrated" : " NOT calibrated")
            << ((status & i::kStatusMoving) ? ", moving" : ", still")
            << ((status & i::kStatusLowerLimit) ? ", at lower limit" : "")
            << ((status & i::kStatusUpperLimit) ? ", at upper limit" : "")
            << ((status & i::kStatusCommWarning) ? ", comm warning" : "")
            << ((status & i::kStatusFault) ? ", FAULT" : "") << "\n";
        out << "  fault " << r[3] << " (" << i::fault_name(r[3]) << ")\n";
        out << "  incline " << fixed(static_cast<std::int16_t>(r[1]) * 0.1, 1) << " %, raw " << r[2]
            << ", lift " << fixed(r[4] * 0.01, 2) << " A, belt at the roller "
            << fixed(r[5] * 0.01, 2) << " km/h, odometer "
            << fixed(((std::uint32_t(r[6]) << 16) | r[7]) * 0.01, 2) << " m\n";
    }
    return findings;
}

std::optional<const char*> identify_unit(ModbusLink& link, int unit) {
    auto drive = link.read_registers(SteadyClock::now(), unit, m::kStatus, 1);
    if (drive) return "motor drive";
    if (drive.error().kind == LinkError::Kind::timeout || drive.error().kind == LinkError::Kind::io)
        return std::nullopt;
    if (link.read_registers(SteadyClock::now(), unit, i::kStatus, 1)) return "incline board";
    return "answers, but neither board's registers";
}

}  // namespace treadmill::daemon
