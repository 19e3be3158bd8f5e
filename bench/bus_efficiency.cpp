// bus_efficiency: how close the control cycle's bus traffic runs to the wire's limit over RTU.
// The cycle's transaction set (drive telemetry, incline telemetry, the drive's command FC16 and
// one S4 read-back part, rotating over both boards' parts) goes through ModbusTreadmill over a
// socat pty pair to the simulator, which emulates the wire time of 8E1 at the baud rate. The
// reference, computed for the same frames: the theoretical minimum (request + t3.5 + reply +
// t3.5 at the baud rate, bus::transaction_time). Then the highest control rate that holds: no
// overrun (a cycle's set still running at the next cycle's start) in 600 cycles, by bisection;
// why each rate above it failed is printed below its row.
// Usage: bus_efficiency [--quick]   (--quick: 19200 baud only, 30 cycles, 20 per rate)
// Last line: RESULT bus_ratio=X max_hz_19200=Y [max_hz_9600=... ...]
#include <cmath>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_support.hpp"
#include "controller/config.hpp"
#include "protocols/incline_board.hpp"
#include "protocols/modbus_treadmill.hpp"
#include "protocols/register_map.hpp"
#include "tests/protocols/sim_bench.hpp"

namespace {

using namespace std::chrono_literals;
using namespace treadmill;

// One read-back part: which board, which part, how many registers it reads.
struct ReadbackPart {
    Board board;
    std::size_t part;
    int registers;
};

// The drivers over RTU to a simulator emulating `baud`, configured as the daemon does.
struct RtuRig {
    explicit RtuRig(int baud) : bench(Transport::rtu, 0, baud), hardware(config(bench.link())) {
        const TimePoint now = SteadyClock::now();
        if (!hardware.open(now)) throw std::runtime_error("cannot open " + describe(bench.link()));
        settings = controller::ControlConfig{}.board_settings();
        auto limits = hardware.configure(now, settings);
        if (!limits) throw std::runtime_error("configure: " + limits.error().error.message);
        for (const auto& run :
             parameter_runs(drive_parameters(settings, hardware.drive().profile(),
                                             hardware.drive().scale(), limits->max_frequency_hz))) {
            parts.push_back({Board::motor, parts.size(), static_cast<int>(run.size())});
        }
        const std::size_t motor_parts = parts.size();
        for (const auto& run : parameter_runs(incline_parameters(settings))) {
            parts.push_back(
                {Board::incline, parts.size() - motor_parts, static_cast<int>(run.size())});
        }
    }
    static HardwareConfig config(LinkConfig link) {
        link.response_timeout = 500ms;  // generous: a late reply is not what this measures
        HardwareConfig c;
        c.bus = link;
        return c;
    }

    testing::SimBench bench;
    ModbusTreadmill hardware;
    BoardSettings settings;
    std::vector<ReadbackPart> parts;
};

// The theoretical minimum of one cycle's set with read-back part `part`, 8E1 at `baud`.
Duration minimum_cycle(int baud, const ReadbackPart& part) {
    const bus::SerialFormat f{baud, 8, true, 1};
    return bus::transaction_time(f, bus::read_request_bytes(),
                                 bus::read_reply_bytes(regmap::motor::kTelemetryCount)) +
           bus::transaction_time(f, bus::read_request_bytes(),
                                 bus::read_reply_bytes(regmap::incline::kTelemetryCount)) +
           bus::transaction_time(f, bus::write_multiple_request_bytes(2),
                                 bus::write_multiple_reply_bytes()) +
           bus::transaction_time(f, bus::read_request_bytes(),
                                 bus::read_reply_bytes(part.registers));
}

// One cycle's set; false when a transaction failed.
bool run_cycle_set(ModbusTreadmill& hw, const ReadbackPart& part) {
    const TimePoint now = SteadyClock::now();
    bool ok = hw.read_drive(now).ok();
    ok = hw.read_incline(now).ok() && ok;
    ok = hw.write_drive(now, DriveWrite{true, 8.0}).ok() && ok;
    ok = hw.verify_part(now, part.board, part.part).ok() && ok;
    return ok;
}

struct Efficiency {
    long cycles = 0;
    long failures = 0;
    double measured_ms = 0;  // per cycle: first request byte to last reply byte, summed
    double wall_ms = 0;      // per cycle: the set's wall time (our code between frames too)
    double minimum_ms = 0;   // per cycle: theoretical
    double emulated_ms = 0;  // per cycle: what the simulator charges (one t3.5 per transaction)
};

constexpr int kTransactionsPerCycle = 4;

// Back-to-back cycles: the bus time per cycle against the minimum.
Efficiency measure_efficiency(RtuRig& rig, int baud, int cycles) {
    Efficiency e;
    const auto& stats = rig.hardware.link_statistics(Board::motor);
    const Duration link_before = stats.latency_total;
    Duration wall{}, minimum{};
    for (int i = 0; i < cycles; ++i) {
        const ReadbackPart& part = rig.parts[static_cast<std::size_t>(i) % rig.parts.size()];
        const auto start = SteadyClock::now();
        e.failures += run_cycle_set(rig.hardware, part) ? 0 : 1;
        wall += SteadyClock::now() - start;
        minimum += minimum_cycle(baud, part);
        ++e.cycles;
    }
    const double n = static_cast<double>(e.cycles);
    e.measured_ms = bus::to_ms(stats.latency_total - link_before) / n;
    e.wall_ms = bus::to_ms(wall) / n;
    e.minimum_ms = bus::to_ms(minimum) / n;
    e.emulated_ms = e.minimum_ms - kTransactionsPerCycle * bus::to_ms(bus::t35({baud, 8, true, 1}));
    return e;
}

// Cycles at `hz` on a fixed schedule: "" when none of `cycles` overran or failed, else why.
std::string rate_fails(RtuRig& rig, double hz, int cycles) {
    const auto period = std::chrono::duration_cast<Duration>(Seconds(1.0 / hz));
    auto next = SteadyClock::now() + 5ms;
    char why[128];
    for (int i = 0; i < cycles; ++i) {
        std::this_thread::sleep_until(next);
        const auto woke = SteadyClock::now();
        const ReadbackPart& part = rig.parts[static_cast<std::size_t>(i) % rig.parts.size()];
        if (!run_cycle_set(rig.hardware, part)) {
            std::snprintf(why, sizeof why, "%.0f Hz: a transaction failed in cycle %d", hz, i);
            return why;
        }
        next += period;
        const auto done = SteadyClock::now();
        if (done > next) {
            std::snprintf(why, sizeof why,
                          "%.0f Hz: cycle %d overran by %.1f ms (woke %.1f ms late, set %.1f ms)",
                          hz, i, bus::to_ms(done - next), bus::to_ms(woke - (next - period)),
                          bus::to_ms(done - woke));
            return why;
        }
    }
    return {};
}

// The highest whole rate that holds, by bisection between 1 Hz and `start_hz`; the reasons of
// the rates that did not hold go to `misses`.
double max_rate(RtuRig& rig, double start_hz, int cycles, std::vector<std::string>& misses) {
    int low = 0;                                            // highest known to hold
    int high = static_cast<int>(std::floor(start_hz)) + 1;  // lowest known to fail
    while (high - low > 1) {
        const int hz = (low + high) / 2;
        const std::string why = rate_fails(rig, hz, cycles);
        if (why.empty()) {
            low = hz;
        } else {
            high = hz;
            misses.push_back(why);
        }
    }
    return low;
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each row as it is measured, also into a file
    bench::require_known_flags(argc, argv, {"--quick"}, "bus_efficiency [--quick]");
    const bool quick = bench::has_flag(argc, argv, "--quick");
    const std::vector<int> bauds =
        quick ? std::vector<int>{19200} : std::vector<int>{9600, 19200, 38400, 115200};
    const int efficiency_cycles = quick ? 30 : 300;
    const int rate_cycles = quick ? 20 : 600;
    std::printf(
        "bus_efficiency: the cycle's set (2 telemetry reads, the drive's FC16, one S4 "
        "part) over RTU,\npty + simulator wire-time emulation at 8E1; %d back-to-back "
        "cycles, then %d cycles per rate\n\n",
        efficiency_cycles, rate_cycles);
    std::printf("%7s %7s %10s %11s %8s %8s %10s %6s %9s %7s %8s\n", "baud", "cycles", "minimum ms",
                "emulated ms", "bus ms", "wall ms", "excess/tx", "ratio", "theory Hz", "max Hz",
                "failures");
    std::string result;
    double bus_ratio_19200 = NAN;
    double max_hz_19200 = NAN;
    bool ok = true;
    for (const int baud : bauds) {
        RtuRig rig(baud);
        const Efficiency e = measure_efficiency(rig, baud, efficiency_cycles);
        const double ratio = e.measured_ms / e.minimum_ms;
        const double theory_hz = 1000.0 / e.minimum_ms;
        // No rate above the back-to-back one can hold: start there (or at the theory's).
        std::vector<std::string> misses;
        const double max_hz =
            max_rate(rig, std::min(theory_hz, 1000.0 / e.wall_ms), rate_cycles, misses);
        const double excess_ms = (e.measured_ms - e.emulated_ms) / kTransactionsPerCycle;
        rig.hardware.write_drive(SteadyClock::now(), DriveWrite{});
        std::printf("%7d %7ld %10.2f %11.2f %8.2f %8.2f %10.2f %6.3f %9.1f %7.0f %8ld\n", baud,
                    e.cycles, e.minimum_ms, e.emulated_ms, e.measured_ms, e.wall_ms, excess_ms,
                    ratio, theory_hz, max_hz, e.failures);
        for (const auto& why : misses) std::printf("        did not hold: %s\n", why.c_str());
        ok = ok && e.failures == 0;
        if (baud == 19200) {
            bus_ratio_19200 = ratio;
            max_hz_19200 = max_hz;
        } else {
            result +=
                " max_hz_" + std::to_string(baud) + "=" + std::to_string(static_cast<int>(max_hz));
        }
    }
    std::printf(
        "\nminimum: request + t3.5 + reply + t3.5 per transaction at 8E1; emulated: the "
        "simulator's wait\n(request + reply + one t3.5); bus: the link's request-sent to "
        "reply-checked, summed;\nexcess/tx: (bus - emulated) per transaction, in ms; "
        "ratio = bus / minimum (target <= 1.15 at 19200)\n");
    std::printf("\nRESULT bus_ratio=%.3f max_hz_19200=%.0f%s\n", bus_ratio_19200, max_hz_19200,
                result.c_str());
    return ok ? 0 : 1;
}
