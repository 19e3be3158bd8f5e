// Driver of unit 2, the incline board (lift, roller speed sensor, safety key), over a
// ModbusLink. Errors are values.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "protocols/modbus_link.hpp"
#include "protocols/parameter_sync.hpp"
#include "protocols/register_map.hpp"
#include "protocols/treadmill_hardware.hpp"

namespace treadmill {

// 0x0013 and 0x0010 as read from the board.
struct InclineLimits {
    double min_pct = 0;
    double max_pct = 0;
};

// The belt as measured at the roller: 0x0105..0x0107.
struct RollerReading {
    double speed_kmh = 0;
    std::uint32_t odometer_cm = 0;  // 0.01 m, counts from the board's power-on
};

// The incline parameters configure() wants, sorted: 0x0011 time-out, 0x0012 treatment.
std::vector<ParameterValue> incline_parameters(const BoardSettings& s);

class InclineBoard {
  public:
    InclineBoard(ModbusLink& link, int unit);

    // 0x0100..0x0107 in one transaction.
    Result<InclineTelemetry, LinkError> read_telemetry(TimePoint now);
    // 0x0105..0x0107 only.
    Result<RollerReading, LinkError> read_roller(TimePoint now);
    // stop / calibrate: FC06 of the command; move: FC16 of command + target (clamped to the
    // limits once read).
    Result<Done, LinkError> write(TimePoint now, const InclineWrite& w);
    Result<Done, LinkError> stop(TimePoint now) { return write(now, InclineWrite{}); }
    // One fault reset (0x0002 bit1).
    Result<Done, LinkError> reset_fault(TimePoint now);
    // Reads 0x0010..0x0013 (min and max incline).
    Result<InclineLimits, LinkError> read_limits(TimePoint now);
    // Read-compare-write of incline_parameters(), then the limits; remembers what it wants.
    Result<SyncReport, LinkError> configure(TimePoint now, const BoardSettings& s);
    // Reads the parameters back and compares with the last configure() (rule S4).
    Result<ConfigCheck, LinkError> verify(TimePoint now);
    // The same in parts of one transaction each; `part` is taken modulo readback_parts().
    std::size_t readback_parts() const;
    Result<ConfigCheck, LinkError> verify_part(TimePoint now, std::size_t part);

    static std::string_view fault_name(std::uint16_t code) {
        return regmap::incline::fault_name(code);
    }
    const std::optional<InclineLimits>& limits() const { return limits_; }
    int unit() const { return unit_; }
    ModbusLink& link() { return link_; }

  private:
    // The parameters to read back: the last configure()'s, else those of the default settings.
    const std::vector<ParameterValue>& wanted();

    ModbusLink& link_;
    int unit_;
    std::optional<InclineLimits> limits_;
    std::vector<ParameterValue> wanted_;
};

}  // namespace treadmill
