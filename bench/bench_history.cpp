// bench_history: whether recording a workout makes the control loop late. The real control
// cycle (ControlCycle, ModbusTreadmill's drivers) runs against the simulator over TCP loopback
// in the daemon's own loop (daemon::ControlLoop on an io_context, 10 Hz, the default period), a
// program running at time scale 10 (the simulator's physics too) so that every cycle queues a
// sample (ten times the daemon's rate at --time-scale 1) and a lap every 6 s. After each cycle the
// hook does what the daemon's does with the status (builds it), and in the windows with recording
// on also the daemon's HistoryHook (the recorder and the queue; its writer thread commits to a
// SQLite file with synchronous=FULL). Windows with recording on and off alternate in one run, so a
// busy machine moves both. Per mode: the cycle's start delay (lateness), the cycle time (start to
// the end of the after-cycle hook), late cycles (more than half a period behind, as status.loop
// counts them); with recording, the hook's own time per cycle.
// Usage: bench_history [--quick] [--seconds N] [--dir DIR] [--fifo]
//   N seconds of windows in all (default 120, 5 s windows; --quick: 4 s, 0.5 s windows);
//   DIR for the database (default $TMPDIR or /tmp); --fifo: the loop (and the simulator) at
//   SCHED_FIFO 49 as the systemd unit starts the daemon, the writer thread dropping to normal
//   priority as it does there (needs root or CAP_SYS_NICE)
// Last line: RESULT history_cycle_p99_us=A nohistory_cycle_p99_us=B history_ratio=A/B
//            history_late_with=N history_late_without=M history_lateness_p99_us=…
//            nohistory_lateness_p99_us=… recorder_p99_us=…
#include <boost/asio/io_context.hpp>

#include <sched.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/bench_support.hpp"
#include "common/json_text.hpp"
#include "controller/control_cycle.hpp"
#include "controller/daemon/control_loop.hpp"
#include "controller/daemon/history_hook.hpp"
#include "history/history_reader.hpp"
#include "protocols/modbus_treadmill.hpp"
#include "sim/embedded_simulator.hpp"
#include "tests/controller/rig.hpp"

namespace {

using namespace std::chrono_literals;
using namespace treadmill;
using controller::ControlConfig;
using controller::ControlCycle;
using controller::State;

constexpr Duration kPeriod = 100ms;  // the daemon's default control.period
constexpr double kTimeScale = 10;    // a workout second per cycle
constexpr double kStepS = 60;        // workout seconds per step: a lap every 6 s of wall clock

double us(Duration d) {
    return std::chrono::duration<double, std::micro>(d).count();
}

// A program long enough for the run: 1-minute steps of 8, 10 and 12 km/h at 0 and 2 %.
programs::Timeline program(double wall_s) {
    programs::Timeline t = testing::make_timeline({});
    t.id = "bench-history";
    const int steps = static_cast<int>(wall_s * kTimeScale / kStepS) + 10;
    for (int i = 0; i < steps; ++i) {
        programs::TimelineStep step;
        step.index = t.steps.size();
        step.extent = step.duration_s = kStepS;
        step.speed_kmh = step.speed_end_kmh = 8.0 + (i % 3) * 2.0;
        step.incline_pct = step.incline_end_pct = (i % 2) * 2.0;
        step.cue = "step " + std::to_string(i + 1);
        t.steps.push_back(step);
        t.total_s += kStepS;
    }
    return t;
}

// One mode's cycles.
struct Mode {
    std::vector<double> lateness_us, cycle_us, hook_us;
    long late = 0;
};

// The writer's counters at the end (status.history's).
struct Writer {
    std::uint64_t merged = 0, lost = 0, write_errors = 0;
};

enum class Phase { connecting, starting, measuring, stopping, done };

struct Outcome {
    Mode with, without;
    std::string problem;  // empty when the run went as planned
    int windows = 0;
    Writer writer;
};

Outcome run(double total_s, double window_s, const std::string& db) {
    // The simulator's physics on the same time scale, as the daemon's embedded one runs.
    const auto sim = sim::EmbeddedSimulator::start_tcp({}, sim::SimOptions{kTimeScale});
    HardwareConfig hardware;
    hardware.bus.transport = Transport::tcp;
    hardware.bus.host = "127.0.0.1";
    hardware.bus.port = sim->port();
    ModbusTreadmill treadmill(hardware);
    ControlConfig config;
    config.period = kPeriod;
    config.countdown = 100ms;
    config.time_scale = kTimeScale;
    ControlCycle cycle(treadmill, config, [] { return SteadyClock::now(); });
    daemon::HistoryHook history(db, kTimeScale, programs::ProfileLocation{}, [](std::string line) {
        if (line.find("warning") != std::string::npos || line.find("error") != std::string::npos)
            std::fprintf(stderr, "bench_history: %s\n", line.c_str());
    });
    cycle.set_setpoint_sink([&](const controller::SetpointChange& c) { history.on_setpoint(c); });

    boost::asio::io_context io;
    daemon::Heartbeat heartbeat(SteadyClock::now());
    Outcome out;
    Phase phase = Phase::connecting;
    const programs::Timeline timeline = program(total_s);
    const auto window = std::chrono::duration_cast<Duration>(Seconds(window_s));
    const int windows = std::max(2, static_cast<int>(total_s / window_s + 0.5));
    TimePoint phase_end = SteadyClock::now() + 20s;
    bool recording = true;  // during connecting, starting and stopping
    std::optional<daemon::ControlLoop> loop;
    loop.emplace(io, cycle, heartbeat, kPeriod, [&](TimePoint now) {
        const Duration lateness = now - loop->scheduled();
        const auto status = cycle.status(now);  // the daemon's after-cycle builds it anyway
        Duration hook{};
        if (recording) {
            const TimePoint t0 = SteadyClock::now();
            history.after_cycle(cycle, now);
            hook = SteadyClock::now() - t0;
        }
        const TimePoint done = SteadyClock::now();
        if (phase == Phase::measuring) {
            Mode& m = recording ? out.with : out.without;
            m.lateness_us.push_back(us(lateness));
            m.cycle_us.push_back(us(done - now));
            if (recording) m.hook_us.push_back(us(hook));
            if (lateness > kPeriod / 2) ++m.late;
        }
        const auto fail = [&](std::string why) {
            out.problem = std::move(why) + " (state " + std::string(to_string(status.state)) +
                          (status.fault ? ", fault " + status.fault->code : std::string{}) + ")";
            cycle.stop(now);
            loop->stop();
        };
        switch (phase) {
            case Phase::connecting:
                if (status.state == State::idle) {
                    cycle.start(timeline, now);
                    phase = Phase::starting;
                    phase_end = now + 5s;
                } else if (now > phase_end) {
                    fail("the cycle did not reach idle at the simulator");
                }
                break;
            case Phase::starting:
                if (status.state == State::running) {
                    phase = Phase::measuring;
                    recording = false;  // off first; the modes alternate from here
                    phase_end = now + window;
                } else if (now > phase_end) {
                    fail("the program did not start");
                }
                break;
            case Phase::measuring:
                if (status.state != State::running) {
                    fail("the program left running");
                } else if (now >= phase_end) {
                    recording = !recording;
                    phase_end = now + window;
                    if (++out.windows == windows) {
                        recording = true;
                        cycle.stop(now);
                        phase = Phase::stopping;
                        phase_end = now + 15s;
                    }
                }
                break;
            case Phase::stopping:
                if (status.state == State::idle || now > phase_end) {
                    if (status.state != State::idle) out.problem = "the belt did not stop";
                    phase = Phase::done;
                    loop->stop();
                }
                break;
            case Phase::done:
                break;
        }
    });
    loop->start();
    io.run();
    history.flush();
    const auto status = history.status_json();
    out.writer = {status.value("samples_merged", std::uint64_t{0}),
                  status.value("lost", std::uint64_t{0}),
                  status.value("write_errors", std::uint64_t{0})};
    return out;
}

void print_row(const char* mode, const Mode& m) {
    const auto late = bench::percentiles(m.lateness_us);
    const auto cyc = bench::percentiles(m.cycle_us);
    std::printf("%-10s %7zu %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f %5ld\n", mode, cyc.count, late.p50,
                late.p99, late.max, cyc.p50, cyc.p99, cyc.max, m.late);
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each row as it is measured, also into a file
    bool quick = false;
    bool fifo = false;
    double seconds = 120;
    const char* tmp = std::getenv("TMPDIR");
    std::string dir = tmp ? tmp : "/tmp";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--quick") {
            quick = true;
        } else if (arg == "--seconds" && i + 1 < argc && std::atof(argv[i + 1]) >= 2) {
            seconds = std::atof(argv[++i]);
        } else if (arg == "--fifo") {
            fifo = true;
        } else if (arg == "--dir" && i + 1 < argc) {
            dir = argv[++i];
        } else {
            std::fprintf(stderr,
                         "usage: bench_history [--quick] [--seconds N] [--dir DIR] [--fifo]\n");
            return 2;
        }
    }
    if (fifo) {
        // Before any thread starts: the simulator's and the writer's inherit it, and the writer
        // drops to normal priority itself, as in the daemon under its systemd unit.
        sched_param param{};
        param.sched_priority = 49;
        if (::sched_setscheduler(0, SCHED_FIFO, &param) != 0) {
            std::perror("bench_history: SCHED_FIFO 49 (needs root or CAP_SYS_NICE)");
            return 1;
        }
    }
    const double window_s = quick ? 0.5 : 5;
    if (quick) seconds = 4;
    const std::string db = dir + "/bench_history.db";
    for (const char* s : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(db + s);

    std::printf(
        "bench_history: the control cycle at the simulator (TCP), %.0f ms period, a program at "
        "time scale %.0f\n(a sample queued every cycle); recording off and on alternate in "
        "%.1f s windows, %.0f s in all; %s;\ndatabase %s (synchronous=FULL). Times in us; late: "
        "start > half a period behind\n\n",
        us(kPeriod) / 1000, kTimeScale, window_s, seconds,
        fifo ? "SCHED_FIFO 49, the writer at normal priority" : "SCHED_OTHER", db.c_str());
    const Outcome out = run(seconds, window_s, db);
    std::printf("%-10s %7s %9s %9s %9s %9s %9s %9s %5s\n", "recording", "cycles", "late p50",
                "late p99", "late max", "cycle p50", "cycle p99", "cycle max", "late");
    print_row("off", out.without);
    print_row("on", out.with);
    const auto hook = bench::percentiles(out.with.hook_us);
    std::printf(
        "\nthe recorder's share of a cycle (HistoryHook::after_cycle): p50 %.1f us, p99 %.1f "
        "us, max %.1f us\n",
        hook.p50, hook.p99, hook.max);

    bool ok = out.problem.empty();
    if (!ok) std::printf("problem: %s\n", out.problem.c_str());
    std::size_t samples = 0, laps = 0;
    const auto sessions = history::list_sessions(db);
    if (!sessions || sessions->size() != 1) {
        std::printf("problem: %s\n",
                    sessions ? "not one session in the database" : sessions.error().c_str());
        ok = false;
    } else if (const auto record = history::load_session(db, sessions->front().id); record) {
        samples = record->samples.size();
        laps = record->laps.size();
    }
    std::printf(
        "recorded: %zu samples, %zu laps in %d windows; writer: %llu merged, %llu lost, %llu "
        "write errors\n",
        samples, laps, out.windows, static_cast<unsigned long long>(out.writer.merged),
        static_cast<unsigned long long>(out.writer.lost),
        static_cast<unsigned long long>(out.writer.write_errors));
    if (out.writer.lost > 0 || out.writer.write_errors > 0) ok = false;
    const double with_p99 = bench::percentiles(out.with.cycle_us).p99;
    const double without_p99 = bench::percentiles(out.without.cycle_us).p99;
    if (out.with.cycle_us.empty() || out.without.cycle_us.empty() || without_p99 <= 0) {
        std::printf("problem: a mode has no cycles\n");
        ok = false;
    }
    std::printf(
        "\nRESULT history_cycle_p99_us=%.0f nohistory_cycle_p99_us=%.0f history_ratio=%.2f "
        "history_late_with=%ld history_late_without=%ld history_lateness_p99_us=%.0f "
        "nohistory_lateness_p99_us=%.0f recorder_p99_us=%.1f\n",
        with_p99, without_p99, without_p99 > 0 ? with_p99 / without_p99 : 0.0, out.with.late,
        out.without.late, bench::percentiles(out.with.lateness_us).p99,
        bench::percentiles(out.without.lateness_us).p99, hook.p99);
    return ok ? 0 : 1;
}
