// safety_latency: how fast a fault becomes a STOP frame. The real control cycle runs on this
// thread every period (as the daemon's loop) with ModbusTreadmill against the simulator, over
// TCP loopback and over RTU (socat pty pair, 19200 8E1 wire-time emulation). Per trial, while a
// program runs at 5 km/h, at a random phase of the period:
//   key:       the key is pulled in the simulator, from a second thread, so also while a cycle
//              runs; measured: pull -> the first STOP write sent
//              (FC16 0x2000 = STOP), and the reply that reported the key out -> that STOP
//              (rule S1's measure, our side alone);
//   comm loss: the simulator falls silent (between two cycles); measured: silence ->
//              comm_loss latched.
// The reference in the same run: the control period itself (pull -> STOP target: period + 50 ms).
// Usage: safety_latency [--quick]   (100 trials each per transport; --quick: 3)
// Last line: RESULT key_reply_stop_p99_ms=X key_stop_p99_ms=Y comm_loss_p99_ms=Z (worst transport)
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_support.hpp"
#include "controller/control_cycle.hpp"
#include "protocols/modbus_treadmill.hpp"
#include "tests/controller/rig.hpp"
#include "tests/protocols/sim_bench.hpp"

namespace {

using namespace std::chrono_literals;
using namespace treadmill;
using controller::ControlConfig;
using controller::ControlCycle;
using controller::State;

// ModbusTreadmill with stamps: when, after arm(), the first reply showed the key out and the
// first STOP was about to be sent.
class StampedHardware final : public TreadmillHardware {
  public:
    explicit StampedHardware(ModbusTreadmill& inner) : inner_(inner) {}

    void arm() { key_out_reply_.reset(), stop_sent_.reset(), armed_ = true; }
    std::optional<TimePoint> key_out_reply() const { return key_out_reply_; }
    std::optional<TimePoint> stop_sent() const { return stop_sent_; }

    Result<DriveTelemetry, LinkError> read_drive(TimePoint now) override {
        return inner_.read_drive(now);
    }
    Result<InclineTelemetry, LinkError> read_incline(TimePoint now) override {
        auto r = inner_.read_incline(now);
        if (armed_ && r && !r.value().key_present && !key_out_reply_)
            key_out_reply_ = SteadyClock::now();
        return r;
    }
    Result<Done, LinkError> write_drive(TimePoint now, const DriveWrite& w) override {
        if (armed_ && !w.run && !stop_sent_) stop_sent_ = SteadyClock::now();
        return inner_.write_drive(now, w);
    }
    std::uint16_t frequency_counts(const DriveWrite& w) const override {
        return inner_.frequency_counts(w);
    }
    Result<Done, LinkError> write_incline(TimePoint now, const InclineWrite& w) override {
        return inner_.write_incline(now, w);
    }
    Result<Done, LinkError> reset_fault(TimePoint now, Board board) override {
        return inner_.reset_fault(now, board);
    }
    Result<BoardLimits, BoardLinkError> configure(TimePoint now, const BoardSettings& s) override {
        return inner_.configure(now, s);
    }
    Result<ConfigCheck, LinkError> verify(TimePoint now, Board board) override {
        return inner_.verify(now, board);
    }
    std::size_t readback_parts(Board board) const override { return inner_.readback_parts(board); }
    Result<ConfigCheck, LinkError> verify_part(TimePoint now, Board board,
                                               std::size_t part) override {
        return inner_.verify_part(now, board, part);
    }
    LinkHealth link_health(Board board) const override { return inner_.link_health(board); }

  private:
    ModbusTreadmill& inner_;
    bool armed_ = false;
    std::optional<TimePoint> key_out_reply_;
    std::optional<TimePoint> stop_sent_;
};

double ms_between(TimePoint from, TimePoint to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

// The simulator, the drivers and the cycle, run on this thread on a fixed schedule.
class Loop {
  public:
    explicit Loop(Transport transport)
        : bench_(transport),
          inner_(hardware_config(bench_.link())),
          stamped_(inner_),
          cycle_(stamped_, control_config(), [] { return SteadyClock::now(); }) {}

    static ControlConfig control_config() {
        ControlConfig c;
        c.countdown = 100ms;  // a trial need not wait 3 s to run
        return c;
    }
    static HardwareConfig hardware_config(const LinkConfig& link) {
        HardwareConfig c;
        c.bus = link;
        return c;
    }

    // Cycles until `pred` holds after a cycle (true) or `limit` passes (false).
    template <class Pred>
    bool cycle_until(Pred pred, Duration limit) {
        const TimePoint end = SteadyClock::now() + limit;
        while (SteadyClock::now() < end) {
            std::this_thread::sleep_until(next_);
            last_start_ = SteadyClock::now();
            starts_.push_back({next_, last_start_});
            cycle_.cycle(last_start_);
            next_ += cycle_.config().period;
            if (next_ < SteadyClock::now()) next_ = SteadyClock::now();  // overran: no burst
            if (pred()) return true;
        }
        return false;
    }

    // Back in idle with the key in and no fault, then a program running at 5 km/h.
    bool prepare() {
        bench_.control({{"cmd", "clear"}});
        const bool idle = cycle_until(
            [&] {
                if (cycle_.state() == State::fault) cycle_.reset(SteadyClock::now());
                return cycle_.state() == State::idle;
            },
            15s);
        if (!idle) return false;
        cycle_.start(testing::make_timeline({{3600, 5.0}}), SteadyClock::now());
        return cycle_until([&] { return cycle_.state() == State::running; }, 5s) &&
               cycle_until([&] { return false; }, 3 * cycle_.config().period) == false;
    }

    // A random instant within the period that starts with the next cycle (so it falls inside
    // a cycle as often as the cycle's share of the period).
    TimePoint random_instant(std::mt19937& rng) const {
        std::uniform_real_distribution<double> phase(0.0, 1.0);
        return next_ + std::chrono::duration_cast<Duration>(cycle_.config().period * phase(rng));
    }
    // Sleeps to a random phase within the period that follows the last cycle's start (at once
    // when the cycle ran past it: the instant then falls between two cycles).
    TimePoint random_phase(std::mt19937& rng) {
        std::uniform_real_distribution<double> phase(0.0, 1.0);
        std::this_thread::sleep_until(last_start_ + std::chrono::duration_cast<Duration>(
                                                        cycle_.config().period * phase(rng)));
        return SteadyClock::now();
    }

    // The cycles since the last forget_cycles(): when each was due and when it started.
    struct Start {
        TimePoint due, started;
    };
    const std::vector<Start>& starts() const { return starts_; }
    void forget_cycles() { starts_.clear(); }

    testing::SimBench& bench() { return bench_; }
    StampedHardware& stamped() { return stamped_; }
    ControlCycle& cycle() { return cycle_; }

  private:
    testing::SimBench bench_;
    ModbusTreadmill inner_;
    StampedHardware stamped_;
    ControlCycle cycle_;
    TimePoint next_ = SteadyClock::now();
    TimePoint last_start_ = SteadyClock::now();
    std::vector<Start> starts_;
};

struct Samples {
    std::vector<double> key_stop_ms, key_reply_stop_ms, key_seen_ms, comm_loss_ms;
    std::string slowest_key;  // where the slowest key trial's time went
    double slowest_key_ms = 0;
    int failed_trials = 0;
};

// A key trial's timeline, relative to the pull: each cycle's start (and how late it was), the
// key-out reply, the STOP.
std::string key_timeline(const Loop& loop, TimePoint pulled, TimePoint reply, TimePoint stop) {
    std::string out = "cycle starts after the pull (late by):";
    char buf[96];
    for (const auto& c : loop.starts()) {
        if (c.started < pulled) continue;
        std::snprintf(buf, sizeof buf, " %+.1f (%.1f)", ms_between(pulled, c.started),
                      ms_between(c.due, c.started));
        out += buf;
    }
    std::snprintf(buf, sizeof buf, "; key-out reply %+.1f; STOP %+.1f", ms_between(pulled, reply),
                  ms_between(pulled, stop));
    return out + buf;
}

void key_trial(Loop& loop, std::mt19937& rng, Samples& out) {
    if (!loop.prepare()) return void(++out.failed_trials);
    loop.stamped().arm();
    loop.forget_cycles();
    // The pull comes from another thread at any phase of the period, also while a cycle runs
    // (over RTU most of the period): the worst case is a pull just after the incline board
    // answered the cycle's read, which a pull between cycles never shows.
    const TimePoint at = loop.random_instant(rng);
    TimePoint pulled{};
    std::thread puller([&] {
        std::this_thread::sleep_until(at);
        pulled = SteadyClock::now();
        loop.bench().control({{"cmd", "key"}, {"present", false}});
    });
    const bool stopped =
        loop.cycle_until([&] { return loop.stamped().stop_sent().has_value(); }, 2s);
    puller.join();
    const auto reply = loop.stamped().key_out_reply();
    const auto stop = loop.stamped().stop_sent();
    if (!stopped || !reply || !stop || *stop < pulled) return void(++out.failed_trials);
    out.key_stop_ms.push_back(ms_between(pulled, *stop));
    out.key_reply_stop_ms.push_back(ms_between(*reply, *stop));
    out.key_seen_ms.push_back(ms_between(pulled, *reply));
    if (out.key_stop_ms.back() > out.slowest_key_ms) {
        out.slowest_key_ms = out.key_stop_ms.back();
        out.slowest_key = key_timeline(loop, pulled, *reply, *stop);
    }
}

void comm_loss_trial(Loop& loop, std::mt19937& rng, Samples& out) {
    if (!loop.prepare()) return void(++out.failed_trials);
    const TimePoint silenced = loop.random_phase(rng);
    loop.bench().control({{"cmd", "silence"}, {"seconds", 5}});
    const bool latched = loop.cycle_until([&] { return loop.cycle().state() == State::fault; }, 3s);
    const TimePoint at = SteadyClock::now();
    const auto status = loop.cycle().status(at);
    if (!latched || !status.fault || status.fault->code != "comm_loss")
        return void(++out.failed_trials);
    out.comm_loss_ms.push_back(ms_between(silenced, at));
}

void print_row(const char* transport, const char* what, const std::vector<double>& ms) {
    const auto p = bench::percentiles(ms);
    std::printf("%-5s %-25s %6zu %8.2f %8.2f %8.2f %8.2f\n", transport, what, p.count, p.min, p.p50,
                p.p99, p.max);
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each row as it is measured, also into a file
    bench::require_known_flags(argc, argv, {"--quick"}, "safety_latency [--quick]");
    const int trials = bench::has_flag(argc, argv, "--quick") ? 3 : 100;
    const double period_ms =
        std::chrono::duration<double, std::milli>(Loop::control_config().period).count();
    std::printf("safety_latency: %d trials each, control period %.0f ms, in milliseconds\n\n",
                trials, period_ms);
    std::printf("%-5s %-25s %6s %8s %8s %8s %8s\n", "bus", "measure", "n", "min", "p50", "p99",
                "max");
    double key_reply_p99 = 0, key_p99 = 0, comm_p99 = 0;
    int failed = 0;
    std::mt19937 rng(7);
    for (const Transport transport : {Transport::tcp, Transport::rtu}) {
        const char* name = transport == Transport::tcp ? "tcp" : "rtu";
        Loop loop(transport);
        Samples s;
        for (int i = 0; i < trials; ++i) key_trial(loop, rng, s);
        for (int i = 0; i < trials; ++i) comm_loss_trial(loop, rng, s);
        print_row(name, "key pull -> STOP", s.key_stop_ms);
        print_row(name, "key pull -> key-out reply", s.key_seen_ms);
        print_row(name, "key-out reply -> STOP", s.key_reply_stop_ms);
        print_row(name, "comm loss -> latched", s.comm_loss_ms);
        std::printf("%-5s slowest key trial, %.1f ms: %s\n", name, s.slowest_key_ms,
                    s.slowest_key.c_str());
        if (s.failed_trials > 0) std::printf("%-5s %d trial(s) failed\n", name, s.failed_trials);
        failed += s.failed_trials;
        key_reply_p99 = std::max(key_reply_p99, bench::percentiles(s.key_reply_stop_ms).p99);
        key_p99 = std::max(key_p99, bench::percentiles(s.key_stop_ms).p99);
        comm_p99 = std::max(comm_p99, bench::percentiles(s.comm_loss_ms).p99);
    }
    std::printf(
        "\ntargets: key-out reply -> STOP p99 <= 50 ms; key pull -> STOP p99 <= period + "
        "50 ms = %.0f ms;\ncomm loss -> latched p99 <= 500 ms\n",
        period_ms + 50);
    std::printf("\nRESULT key_reply_stop_p99_ms=%.1f key_stop_p99_ms=%.1f comm_loss_p99_ms=%.1f\n",
                key_reply_p99, key_p99, comm_p99);
    return failed == 0 ? 0 : 1;
}
