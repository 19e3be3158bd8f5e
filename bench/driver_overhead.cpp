// driver_overhead: what our link and drivers cost over a bare libmodbus loop. The cycle's read
// and write set (drive telemetry FC03 0x2100+7, incline telemetry FC03 0x0100+8, the drive's
// FC16 0x2000+2) through ModbusTreadmill and through plain modbus_read_registers /
// modbus_write_registers, alternating in blocks in one run, against the same simulator: over
// TCP loopback and over a socat pty pair (no wire-time emulation: the software's cost shows).
// Usage: driver_overhead [--quick]   (20 rounds of 200 sets per side; --quick: 5 of 100)
// Last line: RESULT driver_ratio_tcp=X driver_ratio_rtu=Y   (our rate / bare rate)
#include <modbus/modbus.h>

#include <array>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "bench/bench_support.hpp"
#include "protocols/modbus_treadmill.hpp"
#include "protocols/register_map.hpp"
#include "tests/protocols/sim_bench.hpp"

namespace {

using namespace std::chrono_literals;
using namespace treadmill;
namespace m = regmap::motor;
namespace in = regmap::incline;

// A plain libmodbus context on the same bus, with the same response time-out.
class BareLoop {
  public:
    explicit BareLoop(const LinkConfig& link) {
        ctx_ = link.transport == Transport::tcp
                   ? modbus_new_tcp(link.host.c_str(), link.port)
                   : modbus_new_rtu(link.device.c_str(), link.baud, parity_letter(link.parity),
                                    link.data_bits, link.stop_bits);
        if (ctx_ == nullptr) throw std::runtime_error("modbus_new");
        modbus_set_response_timeout(ctx_, 0, 200000);
        if (modbus_connect(ctx_) != 0) throw std::runtime_error("modbus_connect");
    }
    ~BareLoop() {
        modbus_close(ctx_);
        modbus_free(ctx_);
    }
    BareLoop(const BareLoop&) = delete;
    BareLoop& operator=(const BareLoop&) = delete;

    // One set; false on any failure.
    bool run_set() {
        std::array<std::uint16_t, 8> regs{};
        const std::array<std::uint16_t, 2> command{m::kCommandRunForward, 2500};
        bool ok = modbus_set_slave(ctx_, regmap::kMotorUnit) == 0 &&
                  modbus_read_registers(ctx_, m::kFaultWarning, m::kTelemetryCount, regs.data()) ==
                      m::kTelemetryCount;
        ok = ok && modbus_set_slave(ctx_, regmap::kInclineUnit) == 0 &&
             modbus_read_registers(ctx_, in::kStatus, in::kTelemetryCount, regs.data()) ==
                 in::kTelemetryCount;
        ok = ok && modbus_set_slave(ctx_, regmap::kMotorUnit) == 0 &&
             modbus_write_registers(ctx_, m::kCommand, 2, command.data()) == 2;
        return ok;
    }

  private:
    modbus_t* ctx_ = nullptr;
};

// Our drivers on the same bus.
class OurLoop {
  public:
    explicit OurLoop(const LinkConfig& link) : hardware_(config(link)) {
        if (!hardware_.open(SteadyClock::now())) throw std::runtime_error("open");
    }
    static HardwareConfig config(LinkConfig link) {
        link.response_timeout = 200ms;
        HardwareConfig c;
        c.bus = link;
        return c;
    }
    bool run_set() {
        const TimePoint now = SteadyClock::now();
        bool ok = hardware_.read_drive(now).ok();
        ok = hardware_.read_incline(now).ok() && ok;
        ok = hardware_.write_drive(now, DriveWrite{true, 5.0}).ok() && ok;
        return ok;
    }
    void stop() { hardware_.write_drive(SteadyClock::now(), DriveWrite{}); }

  private:
    ModbusTreadmill hardware_;
};

// Sets per second over `sets` back-to-back sets; counts failures.
template <class Loop>
double rate(Loop& loop, int sets, long& failures) {
    const bench::Stopwatch watch;
    for (int i = 0; i < sets; ++i) failures += loop.run_set() ? 0 : 1;
    return sets / watch.seconds();
}

struct Comparison {
    bench::Percentiles ours, bare, ratio;  // per-round rates (sets/s) and ratios
    long failures = 0;
};

Comparison compare(Transport transport, int rounds, int sets) {
    testing::SimBench bench(transport, 0, 115200, false);
    OurLoop ours(bench.link());
    BareLoop bare(bench.link());
    Comparison c;
    std::vector<double> our_rates, bare_rates, ratios;
    rate(ours, sets / 5 + 1, c.failures);  // warm-up of both
    rate(bare, sets / 5 + 1, c.failures);
    for (int r = 0; r < rounds; ++r) {
        // Alternate which side goes first, so neither always follows the other.
        double our_rate = 0, bare_rate = 0;
        if (r % 2 == 0) {
            our_rate = rate(ours, sets, c.failures);
            bare_rate = rate(bare, sets, c.failures);
        } else {
            bare_rate = rate(bare, sets, c.failures);
            our_rate = rate(ours, sets, c.failures);
        }
        our_rates.push_back(our_rate);
        bare_rates.push_back(bare_rate);
        ratios.push_back(our_rate / bare_rate);
    }
    ours.stop();
    c.ours = bench::percentiles(our_rates);
    c.bare = bench::percentiles(bare_rates);
    c.ratio = bench::percentiles(ratios);
    return c;
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each row as it is measured, also into a file
    bench::require_known_flags(argc, argv, {"--quick"}, "driver_overhead [--quick]");
    const bool quick = bench::has_flag(argc, argv, "--quick");
    const int rounds = quick ? 5 : 20;
    const int sets = quick ? 100 : 200;
    std::printf(
        "driver_overhead: %d rounds of %d sets (3 transactions each) per side, "
        "alternating;\nrates in sets per second (median over the rounds)\n\n",
        rounds, sets);
    std::printf("%-4s %10s %10s %10s %10s %10s %9s\n", "bus", "ours p50", "bare p50", "ratio min",
                "ratio p50", "ratio max", "failures");
    double ratio_tcp = NAN, ratio_rtu = NAN;
    long failures = 0;
    for (const Transport transport : {Transport::tcp, Transport::rtu}) {
        const Comparison c = compare(transport, rounds, sets);
        std::printf("%-4s %10.0f %10.0f %10.3f %10.3f %10.3f %9ld\n",
                    transport == Transport::tcp ? "tcp" : "rtu", c.ours.p50, c.bare.p50,
                    c.ratio.min, c.ratio.p50, c.ratio.max, c.failures);
        (transport == Transport::tcp ? ratio_tcp : ratio_rtu) = c.ratio.p50;
        failures += c.failures;
    }
    std::printf("\nratio = our rate / bare libmodbus rate, per round; target >= 0.95\n");
    std::printf("\nRESULT driver_ratio_tcp=%.3f driver_ratio_rtu=%.3f\n", ratio_tcp, ratio_rtu);
    return failures == 0 ? 0 : 1;
}
