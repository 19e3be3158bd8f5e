// libFuzzer target: arbitrary register words and Modbus reply PDUs -> the telemetry decoders.
// Never crashes, and the decoded values keep the register map's simple invariants.
#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "protocols/drive_profile.hpp"
#include "protocols/modbus_pdu.hpp"
#include "protocols/register_map.hpp"
#include "protocols/telemetry_decode.hpp"
#include "tests/fuzz/fuzz_common.hpp"

namespace {

using treadmill::fuzz::require;
namespace m = treadmill::regmap::motor;
namespace inc = treadmill::regmap::incline;

// The register at `address` of a block starting at `start` (missing registers read 0).
std::uint16_t word(const std::vector<std::uint16_t>& block, std::uint16_t start,
                   std::uint16_t address) {
    const std::size_t i = address - start;
    return i < block.size() ? block[i] : 0;
}

void check_drive(const std::vector<std::uint16_t>& block) {
    const treadmill::DriveProfile profile = treadmill::reference_drive_profile();
    const treadmill::SpeedScale scale;
    const auto t = treadmill::decode_drive_telemetry(block, profile, scale);
    const std::uint16_t fw = word(block, m::kTelemetryStart, m::kFaultWarning);
    require(t.fault_code == (fw & 0xFF), "drive fault code is the low byte of 0x2100");
    require(t.warning_code == (fw >> 8), "drive warning code is the high byte of 0x2100");
    require(t.status == word(block, m::kTelemetryStart, m::kStatus), "drive status is raw 0x2101");
    require(!(t.running && t.decelerating), "drive running and decelerating at once");
    require(t.reverse == ((t.status & 0x18) == 0x18), "reverse is bits4-3 == 11");
    for (double v : {t.frequency_command_hz, t.output_frequency_hz, t.output_speed_kmh, t.current_a,
                     t.dc_bus_v, t.output_v})
        require(std::isfinite(v) && v >= 0, "drive values finite and not negative");
    require(t.output_frequency_hz <= 655.35 + 1e-9, "output frequency within uint16 x 0.01 Hz");
    const std::uint16_t echo = word(block, m::kTelemetryStart, m::kFrequencyEcho);
    require(treadmill::frequency_to_counts(profile, t.frequency_command_hz) == echo,
            "frequency counts round-trip");
}

void check_incline(const std::vector<std::uint16_t>& block) {
    const auto t = treadmill::decode_incline_telemetry(block);
    const std::uint16_t status = word(block, inc::kTelemetryStart, inc::kStatus);
    require(t.status == status, "incline status is raw 0x0100");
    require(t.key_present == ((status & 0x100) != 0), "key_present == bit8");
    require(t.fault_bit == ((status & 0x80) != 0), "fault bit == bit7");
    require(t.moving == ((status & 0x01) != 0), "moving == bit0");
    require(t.fault_code == word(block, inc::kTelemetryStart, inc::kFaultCode),
            "incline fault code is raw 0x0103");
    require(t.roller_speed_kmh >= 0 && t.roller_speed_kmh <= 655.35 + 1e-9,
            "roller speed within 0 .. 655.35 km/h");
    require(t.incline_pct >= -3276.8 - 1e-9 && t.incline_pct <= 3276.7 + 1e-9,
            "incline within int16 x 0.1 %");
    require(std::abs(t.lift_current_a) <= 327.68 + 1e-9, "lift current within int16 x 0.01 A");
    const std::uint16_t raw = word(block, inc::kTelemetryStart, inc::kActualIncline);
    require(treadmill::incline_pct_to_counts(t.incline_pct) == raw, "incline counts round-trip");
    const std::uint32_t odo =
        (std::uint32_t{word(block, inc::kTelemetryStart, inc::kOdometerHigh)} << 16) |
        word(block, inc::kTelemetryStart, inc::kOdometerLow);
    require(t.odometer_cm == odo, "odometer is high word first");
}

// A request the driver could send, then an arbitrary reply checked against it; a reply that
// passes is decoded like the driver does.
void check_pdu(FuzzedDataProvider& in) {
    namespace pdu = treadmill::pdu;
    const bool drive = in.ConsumeBool();
    const std::uint16_t start = drive ? m::kTelemetryStart : inc::kTelemetryStart;
    const std::uint16_t count = in.ConsumeBool()
                                    ? (drive ? m::kTelemetryCount : inc::kTelemetryCount)
                                    : in.ConsumeIntegralInRange<std::uint16_t>(0, 130);
    pdu::Bytes request;
    switch (in.ConsumeIntegralInRange(0, 2)) {
        case 0:
            request = pdu::read_registers_request(start, count);
            break;
        case 1:
            request = pdu::write_register_request(start, in.ConsumeIntegral<std::uint16_t>());
            break;
        default: {
            const std::array<std::uint16_t, 2> values{in.ConsumeIntegral<std::uint16_t>(),
                                                      in.ConsumeIntegral<std::uint16_t>()};
            request = pdu::write_registers_request(start, values);
        }
    }
    const auto reply = in.ConsumeRemainingBytes<std::uint8_t>();
    const int rc = pdu::check_reply(request, reply);
    if (rc != 0) return;
    require(!reply.empty() && reply[0] == request[0], "an accepted reply has the function");
    if (request[0] != 0x03) return;
    require(reply.size() == 2u + 2u * count, "an accepted FC03 reply has 2 x count bytes");
    std::vector<std::uint16_t> block(count);
    pdu::copy_registers(reply, block);
    for (std::size_t i = 0; i < block.size(); ++i)
        require(block[i] == ((reply[2 + 2 * i] << 8) | reply[3 + 2 * i]), "registers big-endian");
    if (drive)
        check_drive(block);
    else
        check_incline(block);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    if (in.ConsumeBool()) {
        check_pdu(in);
        return 0;
    }
    const auto n = in.ConsumeIntegralInRange<std::size_t>(0, 10);
    std::vector<std::uint16_t> block;
    for (std::size_t i = 0; i < n; ++i) block.push_back(in.ConsumeIntegral<std::uint16_t>());
    check_drive(block);
    check_incline(block);
    return 0;
}
