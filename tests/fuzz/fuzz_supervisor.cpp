// libFuzzer target: random event sequences (time steps, safety key, link failures, board
// faults, roller disagreement, API commands) drive a ControlCycle over the FakeTreadmill; the
// log of writes is checked after every cycle (tests/fuzz/write_checker.hpp).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "controller/control_cycle.hpp"
#include "programs/timeline.hpp"
#include "tests/controller/fake_treadmill.hpp"
#include "tests/fuzz/write_checker.hpp"

namespace {

using namespace std::chrono_literals;
using treadmill::Duration;
using treadmill::LinkError;
using treadmill::TimePoint;
using treadmill::controller::ControlConfig;
using treadmill::controller::ControlCycle;
using treadmill::controller::State;
using treadmill::testing::FakeTreadmill;

constexpr int kMaxCycles = 1200;  // per input, to keep executions fast

// A request value: mostly plausible, sometimes far out of range.
double request_value(FuzzedDataProvider& in, double lo, double hi) {
    if (in.ConsumeIntegralInRange(0, 7) == 0) return in.ConsumeFloatingPointInRange(-1e6, 1e6);
    return in.ConsumeFloatingPointInRange(lo, hi);
}

// An API request value: like request_value(), and sometimes not a finite number at all.
double api_value(FuzzedDataProvider& in, double lo, double hi) {
    switch (in.ConsumeIntegralInRange(0, 31)) {
        case 0:
            return std::numeric_limits<double>::quiet_NaN();
        case 1:
            return std::numeric_limits<double>::infinity();
        case 2:
            return -std::numeric_limits<double>::infinity();
        default:
            return request_value(in, lo, hi);
    }
}

// A short program whose targets the input picks (some beyond the machine's limits).
treadmill::programs::Timeline make_program(FuzzedDataProvider& in) {
    treadmill::programs::Timeline t;
    t.id = "fuzz";
    t.name = "Fuzz program";
    const int steps = in.ConsumeIntegralInRange(1, 4);
    for (int k = 0; k < steps; ++k) {
        treadmill::programs::TimelineStep s;
        s.index = t.steps.size();
        s.extent_kind = in.ConsumeBool() ? treadmill::programs::ExtentKind::time
                                         : treadmill::programs::ExtentKind::distance;
        s.extent = in.ConsumeFloatingPointInRange(1.0, 60.0);
        s.open = in.ConsumeIntegralInRange(0, 5) == 0;
        s.manual_speed = in.ConsumeIntegralInRange(0, 5) == 0;
        s.speed_kmh = request_value(in, 0.0, 25.0);
        s.speed_end_kmh = in.ConsumeBool() ? s.speed_kmh : request_value(in, 0.0, 25.0);
        s.incline_pct = request_value(in, -5.0, 20.0);
        s.incline_end_pct = in.ConsumeBool() ? s.incline_pct : request_value(in, -5.0, 20.0);
        s.duration_s = s.extent;
        s.cue = "step";
        t.total_s += s.extent;
        t.steps.push_back(s);
    }
    return t;
}

// Cycles seen per state over the run, printed at exit when FUZZ_SUPERVISOR_STATS is set (to
// see how deep the inputs get).
std::array<unsigned long, 7> g_state_cycles{};
unsigned long g_run_writes = 0;
double g_max_run_speed = 0;

void print_state_stats() {
    static constexpr std::array<const char*, 7> kNames{
        "connecting", "idle", "countdown", "running", "paused", "stopping", "fault"};
    for (std::size_t i = 0; i < kNames.size(); ++i)
        std::fprintf(stderr, "state %-10s %lu cycles\n", kNames[i], g_state_cycles[i]);
    std::fprintf(stderr, "RUN writes %lu, fastest %.2f km/h\n", g_run_writes, g_max_run_speed);
}

class Harness {
  public:
    explicit Harness(FuzzedDataProvider& in)
        : in_(in), cycle_(hw_, config_), checker_(config_.limits, config_.time_scale) {}

    void run() {
        for (int i = 0; i < 60 && cycle_.state() == State::connecting; ++i) tick(100ms);
        while (in_.remaining_bytes() > 0 && cycles_ < kMaxCycles) event();
        g_run_writes += checker_.run_writes();
        g_max_run_speed = std::max(g_max_run_speed, checker_.max_run_speed());
    }

  private:
    // One cycle `dt` later, with the invariants checked on what it wrote.
    void tick(Duration dt) {
        now_ += dt;
        checker_.checked_cycle(cycle_, hw_, bus_dead_, now_);
        ++cycles_;
        ++g_state_cycles[static_cast<std::size_t>(cycle_.state())];
    }

    void event() {
        switch (in_.ConsumeIntegralInRange(0, 12)) {
            case 0:
                tick(std::chrono::milliseconds(in_.ConsumeIntegralInRange(1, 1300)));
                break;
            case 1:
                for (int n = in_.ConsumeIntegralInRange(1, 80); n > 0; --n) tick(config_.period);
                break;
            case 2:
                hw_.key_present = in_.ConsumeBool();
                break;
            case 3:
                link_event();
                break;
            case 4:
                board_event();
                break;
            case 5:
                belt_event();
                break;
            default:
                api_event();
        }
    }

    void link_event() {
        switch (in_.ConsumeIntegralInRange(0, 3)) {
            case 0: {
                const auto call = static_cast<FakeTreadmill::Call>(
                    in_.ConsumeIntegralInRange<std::size_t>(0, FakeTreadmill::kCalls - 1));
                LinkError e;
                e.kind = static_cast<LinkError::Kind>(in_.ConsumeIntegralInRange(0, 5));
                if (e.kind == LinkError::Kind::exception)
                    e.exception_code = in_.ConsumeIntegralInRange<std::uint8_t>(1, 11);
                e.message = "injected";
                hw_.fail(call, e, in_.ConsumeBool() ? in_.ConsumeIntegralInRange(1, 6) : -1);
                break;
            }
            case 1:
                hw_.clear_failures();
                bus_dead_ = false;
                break;
            case 2:
                hw_.kill_bus();
                bus_dead_ = true;
                break;
            default:
                hw_.revive_bus();
                bus_dead_ = false;
        }
    }

    void board_event() {
        switch (in_.ConsumeIntegralInRange(0, 2)) {
            case 0:
                hw_.drive_fault = in_.ConsumeIntegral<std::uint8_t>();
                break;
            case 1:
                hw_.incline_fault = in_.ConsumeIntegralInRange<std::uint16_t>(0, 20);
                break;
            default: {
                const std::size_t board = in_.ConsumeBool() ? 1 : 0;
                treadmill::ConfigCheck c;
                if (in_.ConsumeBool()) c.mismatch_address = in_.ConsumeIntegral<std::uint16_t>();
                hw_.verify_result[board] = c;
            }
        }
    }

    // The roller disagreeing with the command: runaway, stall, reverse or a jump in speed.
    void belt_event() {
        switch (in_.ConsumeIntegralInRange(0, 4)) {
            case 0:
                hw_.runaway = in_.ConsumeBool();
                break;
            case 1:
                hw_.belt_stall = in_.ConsumeBool();
                break;
            case 2:
                hw_.incline_stall = in_.ConsumeBool();
                break;
            case 3:
                hw_.reverse = in_.ConsumeBool();
                break;
            default:
                hw_.belt_kmh = in_.ConsumeFloatingPointInRange(0.0, 30.0);
        }
    }

    void api_event() {
        switch (in_.ConsumeIntegralInRange(0, 10)) {
            case 0:
                cycle_.start(make_program(in_), now_);
                break;
            case 1:
                cycle_.pause(now_);
                break;
            case 2:
                cycle_.resume(now_);
                break;
            case 3:
                cycle_.stop(now_);
                break;
            case 4:
                cycle_.skip(now_);
                break;
            case 5:
                cycle_.speed(api_value(in_, -5.0, 30.0), now_);
                break;
            case 6:
                cycle_.speed_delta(api_value(in_, -10.0, 10.0), now_);
                break;
            case 7:
                cycle_.incline(api_value(in_, -10.0, 30.0), now_);
                break;
            case 8:
                cycle_.estop(now_);
                break;
            case 9:
                cycle_.reset(now_);
                break;
            default:
                cycle_.calibrate(now_);
        }
    }

    FuzzedDataProvider& in_;
    FakeTreadmill hw_;
    ControlConfig config_;
    ControlCycle cycle_;
    treadmill::fuzz::WriteChecker checker_;
    TimePoint now_ = TimePoint{} + 1000s;
    bool bus_dead_ = false;
    int cycles_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    if (std::getenv("FUZZ_SUPERVISOR_STATS")) std::atexit(print_state_stats);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    Harness(in).run();
    return 0;
}
