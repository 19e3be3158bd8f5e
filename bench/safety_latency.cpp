// safety_latency: how fast a fault becomes a STOP frame. The real control cycle runs on this
// thread every period (as the daemon's loop) with ModbusTreadmill against the simulator, over
// TCP loopback and over RTU (socat pty pair, 19200 8E1 wire-time emulation). Per trial, while a
// program runs at 5 km/h, at a random phase of the period:
//   key:       the key is pulled in the simulator, from a second thread, so also while a cycle
//              runs; measured: pull -> the first STOP write sent (FC16 0x2000 = STOP), the pull
//              taken when the simulator APPLIED it (its state's key_changed_s, on its clock,
//              mapped onto ours), so a slow simulator does not count against the controller;
//              and the reply that reported the key out -> that STOP (rule S1's measure, our
//              side alone);
//   comm loss: the simulator falls silent (between two cycles); measured: silence ->
//              comm_loss latched.
// A trial that fails says why (setup timed out, no STOP / no latch within the limit, other). One
// with no STOP (no latch) within the limit is a miss: it counts as the limit in the percentiles,
// so the p99 shows at least the limit (">=" in the table); the others are left out. Every
// failure counts in `failed`, and the run exits 1 when there was any.
// The reference in the same run: the control period itself (pull -> STOP target: period + 50 ms).
// Usage: safety_latency [--quick]   (100 trials each per transport; --quick: 3)
// Last line: RESULT key_reply_stop_p99_ms=X key_stop_p99_ms=Y comm_loss_p99_ms=Z failed=N
//            (the worst transport; failed: both transports)
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

    // Back in idle with the key in and no fault, then a program running at 5 km/h; "" when
    // ready, else why not.
    std::string prepare() {
        bench_.control({{"cmd", "clear"}});
        const bool idle = cycle_until(
            [&] {
                if (cycle_.state() == State::fault) cycle_.reset(SteadyClock::now());
                return cycle_.state() == State::idle;
            },
            15s);
        if (!idle) return "setup timed out: not idle within 15 s (state " + state_name() + ")";
        cycle_.start(testing::make_timeline({{3600, 5.0}}), SteadyClock::now());
        if (!cycle_until([&] { return cycle_.state() == State::running; }, 5s))
            return "setup timed out: not running within 5 s (state " + state_name() + ")";
        cycle_until([&] { return false; }, 3 * cycle_.config().period);
        return {};
    }
    std::string state_name() const { return std::string(controller::to_string(cycle_.state())); }

    // Our clock's reading at the simulator's wall_s = 0: each `state` exchange brackets it
    // between (sent - wall_s) and (answered - wall_s); the tightest of `exchanges` is kept (the
    // simulator reads the same steady clock, so the offset does not drift). Returns the
    // bracket's half-width.
    Duration calibrate_sim_clock(int exchanges) {
        TimePoint lo = TimePoint::min(), hi = TimePoint::max();
        for (int i = 0; i < exchanges; ++i) {
            const TimePoint sent = SteadyClock::now();
            const double wall_s = small_state().at("wall_s").get<double>();
            const TimePoint answered = SteadyClock::now();
            const auto wall = std::chrono::duration_cast<Duration>(Seconds(wall_s));
            lo = std::max(lo, sent - wall);
            hi = std::min(hi, answered - wall);
        }
        sim_epoch_ = lo + (hi - lo) / 2;
        return (hi - lo) / 2;
    }
    // The simulator's state without its record of writes (up to 10 000 of them: slow to build).
    nlohmann::json small_state() {
        return bench_.control({{"cmd", "state"}, {"writes_since", 1e12}}).at("state");
    }
    // When the simulator last changed the key, on our clock; nullopt when it never did.
    std::optional<TimePoint> sim_key_changed() {
        const auto changed = small_state().at("key_changed_s");
        if (!changed.is_number()) return std::nullopt;
        return sim_epoch_ + std::chrono::duration_cast<Duration>(Seconds(changed.get<double>()));
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
    TimePoint sim_epoch_ = SteadyClock::now();
    std::vector<Start> starts_;
};

// A key trial waits this long after the pull for the STOP, a comm-loss trial this long after
// the silence for the latch; a trial that runs out is a miss, counted as the limit.
constexpr auto kKeyLimit = 2s;
constexpr auto kCommLossLimit = 3s;

double ms_of(Duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

struct Samples {
    std::vector<double> key_stop_ms, key_reply_stop_ms, key_seen_ms, key_applied_ms, comm_loss_ms;
    std::string slowest_key;  // where the slowest key trial's time went
    double slowest_key_ms = 0;
    int key_failed = 0, comm_failed = 0;
    std::vector<std::string> failures;  // one line per failed trial: which and why
};

// Notes a failed trial: its kind and number, and why.
void fail(Samples& out, int& counter, const char* kind, int trial, const std::string& why) {
    ++counter;
    out.failures.push_back(std::string(kind) + " trial " + std::to_string(trial + 1) + ": " + why);
}

// A key trial's timeline, relative to the pull as the simulator applied it: when the command
// was sent, each cycle's start (and how late it was), the key-out reply, the STOP.
std::string key_timeline(const Loop& loop, TimePoint sent, TimePoint applied,
                         std::optional<TimePoint> reply, std::optional<TimePoint> stop) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "pull sent %+.1f; ", ms_between(applied, sent));
    std::string out = std::string(buf) + "cycle starts after the pull (late by):";
    if (loop.starts().empty() || loop.starts().back().started < applied) out += " none";
    for (const auto& c : loop.starts()) {
        if (c.started < applied) continue;
        std::snprintf(buf, sizeof buf, " %+.1f (%.1f)", ms_between(applied, c.started),
                      ms_between(c.due, c.started));
        out += buf;
    }
    const auto at = [&](std::optional<TimePoint> t) {
        if (!t) return std::string("none");
        char b[32];
        std::snprintf(b, sizeof b, "%+.1f", ms_between(applied, *t));
        return std::string(b);
    };
    return out + "; key-out reply " + at(reply) + "; STOP " + at(stop);
}

void key_trial(Loop& loop, std::mt19937& rng, int trial, Samples& out) {
    if (const auto why = loop.prepare(); !why.empty())
        return fail(out, out.key_failed, "key", trial, why);
    loop.stamped().arm();
    loop.forget_cycles();
    // The pull comes from another thread at any phase of the period, also while a cycle runs
    // (over RTU most of the period): the worst case is a pull just after the incline board
    // answered the cycle's read, which a pull between cycles never shows.
    const TimePoint at = loop.random_instant(rng);
    TimePoint sent{};
    std::thread puller([&] {
        std::this_thread::sleep_until(at);
        sent = SteadyClock::now();
        loop.bench().control({{"cmd", "key"}, {"present", false}});
    });
    // Until the STOP, or kKeyLimit after the pull was due (the limit then runs from its
    // application, which comes later).
    loop.cycle_until([&] { return loop.stamped().stop_sent().has_value(); },
                     at - SteadyClock::now() + kKeyLimit);
    puller.join();
    const auto applied = loop.sim_key_changed();
    const auto reply = loop.stamped().key_out_reply();
    const auto stop = loop.stamped().stop_sent();
    if (!applied || *applied < sent)
        return fail(out, out.key_failed, "key", trial,
                    "other: the simulator reports no key change after the pull was sent");
    if (stop && *stop < *applied)
        return fail(
            out, out.key_failed, "key", trial,
            "other: a STOP was sent before the pull was applied (state " + loop.state_name() + ")");
    out.key_applied_ms.push_back(ms_between(sent, *applied));
    const double limit_ms = ms_of(kKeyLimit);
    if (!stop || ms_between(*applied, *stop) > limit_ms) {
        // A miss: counted as the limit, so the percentiles cannot hide it.
        // The parts: each its own value when within the limit, else the limit.
        const auto within = [&](std::optional<TimePoint> from, std::optional<TimePoint> to) {
            return from && to && ms_between(*from, *to) <= limit_ms ? ms_between(*from, *to)
                                                                    : limit_ms;
        };
        out.key_stop_ms.push_back(limit_ms);
        out.key_seen_ms.push_back(within(applied, reply));
        if (reply) out.key_reply_stop_ms.push_back(within(reply, stop));
        return fail(out, out.key_failed, "key", trial,
                    "no STOP frame within " + std::to_string(static_cast<int>(limit_ms)) +
                        " ms of the pull (counted as " +
                        std::to_string(static_cast<int>(limit_ms)) + " ms; state " +
                        loop.state_name() +
                        "): " + key_timeline(loop, sent, *applied, reply, stop));
    }
    if (!reply)
        return fail(
            out, out.key_failed, "key", trial,
            "other: a STOP without a key-out reply before it (state " + loop.state_name() + ")");
    out.key_stop_ms.push_back(ms_between(*applied, *stop));
    out.key_reply_stop_ms.push_back(ms_between(*reply, *stop));
    out.key_seen_ms.push_back(ms_between(*applied, *reply));
    if (out.key_stop_ms.back() > out.slowest_key_ms) {
        out.slowest_key_ms = out.key_stop_ms.back();
        out.slowest_key = key_timeline(loop, sent, *applied, reply, stop);
    }
}

void comm_loss_trial(Loop& loop, std::mt19937& rng, int trial, Samples& out) {
    if (const auto why = loop.prepare(); !why.empty())
        return fail(out, out.comm_failed, "comm loss", trial, why);
    const TimePoint silenced = loop.random_phase(rng);
    loop.bench().control({{"cmd", "silence"}, {"seconds", 5}});
    const bool latched =
        loop.cycle_until([&] { return loop.cycle().state() == State::fault; }, kCommLossLimit);
    const TimePoint at = SteadyClock::now();
    // The last cycle may end past the limit: a latch found then is a miss too.
    if (!latched || at - silenced > kCommLossLimit) {
        out.comm_loss_ms.push_back(ms_of(kCommLossLimit));
        return fail(
            out, out.comm_failed, "comm loss", trial,
            "no latch within " + std::to_string(static_cast<int>(ms_of(kCommLossLimit))) +
                " ms of the silence (counted as the limit; " +
                (latched ? "latched after " +
                               std::to_string(static_cast<int>(ms_between(silenced, at))) + " ms)"
                         : "state " + loop.state_name() + ")"));
    }
    const auto status = loop.cycle().status(at);
    if (!status.fault || status.fault->code != "comm_loss")
        return fail(out, out.comm_failed, "comm loss", trial,
                    "other: latched " + (status.fault ? status.fault->code : std::string("?")) +
                        ", not comm_loss");
    out.comm_loss_ms.push_back(ms_between(silenced, at));
}

// One row; a p99 or max at or over `limit_ms` (a miss counted as the limit) shows as ">=".
void print_row(const char* transport, const char* what, const std::vector<double>& ms, int failed,
               double limit_ms) {
    const auto p = bench::percentiles(ms);
    const auto cell = [&](double v) {
        char b[24];
        if (limit_ms > 0 && v >= limit_ms)
            std::snprintf(b, sizeof b, ">=%.0f", limit_ms);
        else
            std::snprintf(b, sizeof b, "%.2f", v);
        return std::string(b);
    };
    std::printf("%-5s %-25s %6zu %6d %8.2f %8.2f %8s %8s\n", transport, what, p.count, failed,
                p.min, p.p50, cell(p.p99).c_str(), cell(p.max).c_str());
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each row as it is measured, also into a file
    bench::require_known_flags(argc, argv, {"--quick"}, "safety_latency [--quick]");
    const int trials = bench::has_flag(argc, argv, "--quick") ? 3 : 100;
    const double period_ms = ms_of(Loop::control_config().period);
    std::printf("safety_latency: %d trials each, control period %.0f ms, in milliseconds\n", trials,
                period_ms);
    std::printf(
        "(key pull: when the simulator applied it; failed: trials that failed, a miss "
        "counted as the limit)\n\n");
    std::printf("%-5s %-25s %6s %6s %8s %8s %8s %8s\n", "bus", "measure", "n", "failed", "min",
                "p50", "p99", "max");
    double key_reply_p99 = 0, key_p99 = 0, comm_p99 = 0;
    int failed = 0;
    std::vector<std::string> notes;  // per transport: the clock offset, the failures
    std::mt19937 rng(7);
    for (const Transport transport : {Transport::tcp, Transport::rtu}) {
        const char* name = transport == Transport::tcp ? "tcp" : "rtu";
        Loop loop(transport);
        const Duration uncertainty = loop.calibrate_sim_clock(20);
        Samples s;
        for (int i = 0; i < trials; ++i) key_trial(loop, rng, i, s);
        for (int i = 0; i < trials; ++i) comm_loss_trial(loop, rng, i, s);
        const double key_limit = ms_of(kKeyLimit), comm_limit = ms_of(kCommLossLimit);
        print_row(name, "key pull -> STOP", s.key_stop_ms, s.key_failed, key_limit);
        print_row(name, "key pull -> key-out reply", s.key_seen_ms, s.key_failed, key_limit);
        print_row(name, "key-out reply -> STOP", s.key_reply_stop_ms, s.key_failed, key_limit);
        print_row(name, "pull sent -> sim applied", s.key_applied_ms, s.key_failed, 0);
        print_row(name, "comm loss -> latched", s.comm_loss_ms, s.comm_failed, comm_limit);
        std::printf("%-5s slowest key trial, %.1f ms: %s\n", name, s.slowest_key_ms,
                    s.slowest_key.c_str());
        char line[160];
        std::snprintf(line, sizeof line,
                      "%s: the simulator's clock mapped onto ours within +-%.3f ms", name,
                      ms_of(uncertainty));
        notes.emplace_back(line);
        for (const auto& f : s.failures) notes.push_back(std::string(name) + ": " + f);
        failed += s.key_failed + s.comm_failed;
        key_reply_p99 = std::max(key_reply_p99, bench::percentiles(s.key_reply_stop_ms).p99);
        key_p99 = std::max(key_p99, bench::percentiles(s.key_stop_ms).p99);
        comm_p99 = std::max(comm_p99, bench::percentiles(s.comm_loss_ms).p99);
    }
    std::printf("\n");
    for (const auto& n : notes) std::printf("%s\n", n.c_str());
    std::printf("%d trial(s) failed\n", failed);
    std::printf(
        "\ntargets: key-out reply -> STOP p99 <= 50 ms; key pull -> STOP p99 <= period + "
        "50 ms = %.0f ms;\ncomm loss -> latched p99 <= 500 ms\n",
        period_ms + 50);
    std::printf(
        "\nRESULT key_reply_stop_p99_ms=%.1f key_stop_p99_ms=%.1f comm_loss_p99_ms=%.1f "
        "failed=%d\n",
        key_reply_p99, key_p99, comm_p99, failed);
    return failed == 0 ? 0 : 1;
}
