// A short program run to completion by treadmilld against external boards (treadmill-sim over
// TCP and over RTU through a pty pair, and the Python peer over TCP); the boards' write record
// must show the program's frequency commands, rate limited, and the belt stopped at the end.
#include <doctest/doctest.h>

#include <cmath>

#include "tests/e2e/e2e_rig.hpp"
#include "tests/e2e/write_checks.hpp"

using namespace treadmill::e2e;

namespace {

// 3 s at 2 km/h, 3 s at 4 km/h, 2 s at 2 km/h (daemon's workout clock = wall clock).
const char* const kProgram =
    "schema: treadmill-workout/1\nname: e2e short\nsteps:\n"
    "  - warmup: 3 s\n    speed: 2 km/h\n"
    "  - run: 3 s\n    speed: 4 km/h\n"
    "  - recover: 2 s\n    speed: 2 km/h\n";
constexpr double kRunBoundary = 3.0;
constexpr double kRecoverBoundary = 6.0;
constexpr double kEnd = 8.0;
constexpr double kSlackBefore = 0.15;       // the first RUN write vs. the program's start
constexpr double kSlackAfter = 0.1 + 0.25;  // one control period + scheduling slack
constexpr double kAccelUnitsPerS = 1.0 * kHzUnitsPerKmh;  // limits.accel 1 km/h/s
constexpr double kDecelUnitsPerS = 1.5 * kHzUnitsPerKmh;  // limits.decel 1.5 km/h/s
constexpr double kPeriod = 0.1;                           // control.period
constexpr double kAtRestKmh = 0.1;  // a coasting belt's last creep (the peer's decays slowly) //
                                    // speed_step 0.1 km/h = 30 units

// The time of the first RUN write from index `from` on for which `pred(frequency)` holds.
template <class Pred>
std::optional<double> first_run_write(const std::vector<DriveWrite>& w, std::size_t from,
                                      Pred pred) {
    for (std::size_t i = from; i < w.size(); ++i)
        if (w[i].command == kRunForward && pred(w[i].frequency)) return w[i].t;
    return std::nullopt;
}

void check_boundary(std::optional<double> at, double boundary, const char* what) {
    const std::string name(what);
    INFO(name);
    REQUIRE(at.has_value());
    MESSAGE(name << ": target change " << (*at - boundary) * 1000 << " ms after the boundary");
    CHECK(*at >= boundary - kSlackBefore);
    CHECK(*at <= boundary + kSlackAfter);
}

// The 2 -> 4 km/h ramp as a whole takes at least (4 - 2) / accel seconds, less one control
// period (where the ramp starts between cycles) and the arrival jitter of its two end writes.
void check_whole_ramp(const std::vector<DriveWrite>& writes, std::size_t first_run) {
    std::size_t from = first_run;
    while (from < writes.size() && writes[from].frequency <= 600) ++from;
    std::size_t to = from;
    while (to < writes.size() && writes[to].frequency < 1200) ++to;
    REQUIRE(to < writes.size());
    const double took = writes[to].t - writes[from - 1].t;
    const double least = (1200.0 - 600.0) / kAccelUnitsPerS - kPeriod - 2 * kArrivalJitter;
    MESSAGE("2 -> 4 km/h ramp took " << took << " s (accel limit: at least " << least << " s)");
    CHECK(took >= least);
}

// Checks the write record of one finished program run.
void check_program_writes(const json& state) {
    const auto writes = drive_writes(state);
    REQUIRE(writes.size() > 20);
    for (const auto& w : writes) CHECK((w.command == kStop || w.command == kRunForward));
    std::size_t first_run = 0;
    while (first_run < writes.size() && writes[first_run].command != kRunForward) ++first_run;
    REQUIRE(first_run < writes.size());
    const double t0 = writes[first_run].t;
    CHECK(writes[first_run].frequency == 240);  // 0.8 km/h: the step from 0 to minimum speed
    check_rates(writes, kAccelUnitsPerS, kDecelUnitsPerS, first_run);
    check_whole_ramp(writes, first_run);
    check_boundary(first_run_write(writes, first_run, [](int f) { return f > 600; }),
                   t0 + kRunBoundary, "warmup -> run");
    std::size_t at_top = first_run;
    while (at_top < writes.size() && writes[at_top].frequency < 1200) ++at_top;
    REQUIRE(at_top < writes.size());
    check_boundary(first_run_write(writes, at_top, [](int f) { return f < 1200; }),
                   t0 + kRecoverBoundary, "run -> recover");
    std::size_t at_recover = at_top;
    while (at_recover < writes.size() && writes[at_recover].frequency > 600) ++at_recover;
    // The end: the first command below the recover speed (the stop ramp) or STOP itself.
    std::optional<double> end;
    for (std::size_t i = at_recover; i < writes.size() && !end; ++i)
        if (writes[i].command == kStop || writes[i].frequency < 600) end = writes[i].t;
    check_boundary(end, t0 + kEnd, "program end -> stopping");
    CHECK(writes.back().command == kStop);
    CHECK(writes.back().frequency == 0);
}

// Runs kProgram on `daemon` until it is idle again; returns the wall seconds it took.
double run_program(DaemonProcess& daemon) {
    REQUIRE_MESSAGE(daemon.wait_idle(), daemon.log());
    const auto t0 = std::chrono::steady_clock::now();
    const auto started = daemon.start_yaml(kProgram);
    REQUIRE(started);
    REQUIRE_MESSAGE((*started)["ok"] == true, started->dump());
    REQUIRE(t::wait_until([&] { return daemon.state() == "running"; }, 5s));
    const bool finished = t::wait_until([&] { return daemon.state() == "idle"; }, 20s);
    REQUIRE_MESSAGE(finished, daemon.log());
    return seconds_since(t0);
}

void check_program_on(BoardProcess& board, const std::string& bus) {
    REQUIRE_MESSAGE(board.ready(), board.log());
    DaemonProcess daemon(bus, "control: {countdown: 1 s}\n");
    const double took = run_program(daemon);
    MESSAGE("program start to idle: " << took << " s");
    const auto status = daemon.status();
    CHECK(status["fault"].is_null());
    CHECK(status["speed"]["actual_kmh"].get<double>() < kAtRestKmh);
    const auto state = board.state();
    REQUIRE(state.is_object());
    CHECK(std::abs(state["belt_kmh"].get<double>()) < kAtRestKmh);
    check_program_writes(state);
}

}  // namespace

TEST_CASE("e2e: a program runs to completion on treadmill-sim over Modbus TCP") {
    BoardProcess board(Board::sim_tcp);
    check_program_on(board, tcp_bus(board));
}

TEST_CASE("e2e: a program runs to completion on treadmill-sim over RTU through a pty pair") {
    t::PtyPair pty;
    BoardProcess board(Board::sim_rtu, pty.a());
    check_program_on(board, rtu_bus(pty.b()));
}

TEST_CASE("e2e: a program runs to completion on the Python board peer over Modbus TCP") {
    BoardProcess board(Board::peer_tcp);
    check_program_on(board, tcp_bus(board));
}

TEST_CASE(
    "e2e: a program runs to completion on the Python board peer over RTU through a pty pair") {
    t::PtyPair pty;
    BoardProcess board(Board::peer_rtu, pty.a());
    check_program_on(board, rtu_bus(pty.b()));
}
