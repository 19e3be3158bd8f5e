// sim_speed: how many times faster than real time a workout runs in-process under virtual time.
// The real control cycle, ModbusTreadmill's drivers and ModbusLink's framing and reply checks
// run against the simulator's two boards through ModbusLink's in-process exchange
// (Simulator::handle: no sockets, no threads). The reference, in the same run: the same program
// on the controller tests' FakeTreadmill (the cycle alone, no Modbus, no simulator).
// Usage: sim_speed [--quick]   (the two alternate 9 times, the median run of each is shown;
// --quick: 3 rounds), after a warm-up round of each
// Last line: RESULT sim_speedup=X fake_speedup=Y
#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

#include "bench/bench_support.hpp"
#include "controller/control_cycle.hpp"
#include "protocols/modbus_treadmill.hpp"
#include "sim/simulator.hpp"
#include "tests/controller/rig.hpp"

namespace {

using namespace std::chrono_literals;
using namespace treadmill;
using controller::ControlConfig;
using controller::ControlCycle;
using controller::State;

// A program of `minutes` minutes: 5-minute steps alternating speeds and inclines.
programs::Timeline program(int minutes) {
    programs::Timeline t = testing::make_timeline({});
    t.id = "sim-speed";
    for (int i = 0; i < minutes / 5; ++i) {
        programs::TimelineStep step;
        step.index = t.steps.size();
        step.extent = step.duration_s = 300;
        step.speed_kmh = step.speed_end_kmh = 6.0 + (i % 4) * 2.0;
        step.incline_pct = step.incline_end_pct = (i % 3) * 2.0;
        step.cue = "step " + std::to_string(i + 1);
        t.steps.push_back(step);
        t.total_s += 300;
    }
    return t;
}

// One run's outcome.
struct Run {
    double virtual_s = 0;
    double wall_s = 0;
    long cycles = 0;
    std::uint64_t transactions = 0;  // Modbus transactions (0 on the fake)
    double belt_m = 0;               // the simulator's belt odometer (0 on the fake)
    bool finished = false;           // the program ran to its end, back in idle, no fault
    double speedup() const { return wall_s > 0 ? virtual_s / wall_s : 0; }
};

// Cycles `cycle` every period from `now` (through `tick`) until the program is over.
template <class Tick, class StateOf>
Run run_program(ControlCycle& cycle, TimePoint& now, const programs::Timeline& timeline, Tick tick,
                StateOf state_of) {
    Run run;
    const TimePoint begin = now;
    const bench::Stopwatch watch;
    while (state_of() != State::idle && now - begin < 10s) tick(), ++run.cycles;
    cycle.start(timeline, now);
    const Duration limit = std::chrono::seconds(static_cast<long>(timeline.total_s) + 60);
    bool started = false;
    while (now - begin < limit) {
        tick();
        ++run.cycles;
        if (state_of() == State::running) started = true;
        if (started && state_of() == State::idle) break;
    }
    run.wall_s = watch.seconds();
    run.virtual_s = seconds_between(begin, now);
    run.finished = started && state_of() == State::idle && cycle.status(now).fault == std::nullopt;
    return run;
}

// The drivers over the simulator's request handler.
Run run_on_simulator(const programs::Timeline& timeline) {
    TimePoint now = TimePoint{} + 1000s;
    sim::Simulator simulator(now, sim::SimOptions{});
    HardwareConfig hardware;
    hardware.bus.transport = Transport::tcp;  // the framing checks of TCP; no socket is opened
    ModbusTreadmill treadmill(hardware);
    treadmill.drive().link().use_in_process(
        [&](int unit,
            std::span<const std::uint8_t> request) -> std::optional<ModbusLink::PduReply> {
            sim::ReplyPlan plan = simulator.handle(now, static_cast<std::uint8_t>(unit), request);
            if (!plan.send) return std::nullopt;
            return ModbusLink::PduReply{plan.unit, std::move(plan.pdu)};
        });
    ControlConfig config;
    ControlCycle cycle(treadmill, config, [&] { return now; });
    Run run = run_program(
        cycle, now, timeline,
        [&] {
            now += config.period;
            cycle.cycle(now);
        },
        [&] { return cycle.state(); });
    run.transactions = treadmill.link_statistics(Board::motor).transactions;
    run.belt_m = simulator.physics().odometer_m();
    return run;
}

// The reference: the cycle alone on the in-process fake.
Run run_on_fake(const programs::Timeline& timeline) {
    testing::Rig rig;
    return run_program(
        rig.cycle, rig.now, timeline, [&] { rig.tick(); }, [&] { return rig.cycle.state(); });
}

// The run of median speed-up.
Run median_run(std::vector<Run> runs) {
    std::sort(runs.begin(), runs.end(),
              [](const Run& a, const Run& b) { return a.speedup() < b.speedup(); });
    return runs[runs.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each row as it is measured, also into a file
    bench::require_known_flags(argc, argv, {"--quick"}, "sim_speed [--quick]");
    const bool quick = bench::has_flag(argc, argv, "--quick");
    const programs::Timeline timeline = program(60);
    const int rounds = quick ? 3 : 9;
    std::printf(
        "sim_speed: a %.0f-minute program under virtual time, 100 ms period; the median "
        "of %d alternating rounds after a warm-up\n\n",
        timeline.total_s / 60, rounds);
    std::printf("%-34s %7s %9s %8s %8s %8s %11s %8s\n", "run", "cycles", "Modbus tx", "belt km",
                "virt s", "wall s", "x real time", "us/cycle");
    run_on_fake(timeline);  // warm-up (the first run pays for the allocator and the caches)
    run_on_simulator(timeline);
    std::vector<Run> fakes, simulated_runs;
    for (int i = 0; i < rounds; ++i) {
        fakes.push_back(run_on_fake(timeline));
        simulated_runs.push_back(run_on_simulator(timeline));
    }
    const Run fake = median_run(fakes);
    const Run simulated = median_run(simulated_runs);
    bool ok = true;
    for (const auto& [name, run] : {std::pair{"cycle on FakeTreadmill (reference)", fake},
                                    std::pair{"cycle + drivers + simulator", simulated}}) {
        std::printf("%-34s %7ld %9llu %8.2f %8.0f %8.3f %11.0f %8.2f%s\n", name, run.cycles,
                    static_cast<unsigned long long>(run.transactions), run.belt_m / 1000,
                    run.virtual_s, run.wall_s, run.speedup(),
                    run.wall_s * 1e6 / static_cast<double>(run.cycles),
                    run.finished ? "" : "  (did not finish the program)");
    }
    for (const auto* runs : {&fakes, &simulated_runs}) {
        for (const Run& run : *runs) ok = ok && run.finished;
    }
    std::printf("\ndrivers + simulator cost %.1fx the cycle alone; target sim_speedup >= 10000\n",
                fake.speedup() / simulated.speedup());
    std::printf("\nRESULT sim_speedup=%.0f fake_speedup=%.0f\n", simulated.speedup(),
                fake.speedup());
    return ok ? 0 : 1;
}
