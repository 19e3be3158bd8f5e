#include "bench/soak_runner.hpp"

#include <cstdio>
#include <thread>

#include "bench/daemon_probe.hpp"

namespace treadmill::soak {

using nlohmann::json;
using namespace std::chrono_literals;
namespace t = treadmill::testing;

namespace {
constexpr double kTick = 0.2;        // status poll and scenario step (s)
constexpr double kFetchEvery = 5.0;  // write record fetch (s)
constexpr double kHoldBack = 2.0;    // writes younger than this wait (a trip may be learnt late)

// The daemon's config besides the bus: tighter limits than the board's, a short countdown.
constexpr const char* kDaemonExtra =
    "limits: {max_speed: 16 km/h, max_incline: 10%}\ncontrol: {countdown: 1 s}\n";
}  // namespace

SoakRunner::SoakRunner(Options options)
    : options_(std::move(options)),
      rng_(options_.seed),
      limits_([] {
          CheckLimits l;
          l.max_kmh = 16;  // kDaemonExtra's limits.max_speed
          return l;
      }()),
      checker_(limits_) {}

SoakRunner::~SoakRunner() = default;

double SoakRunner::now_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
}

double SoakRunner::uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng_);
}
int SoakRunner::pick(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
}

bool SoakRunner::start_processes() {
    if (options_.transport == "rtu") {
        pty_.emplace();
        board_ = std::make_unique<e2e::BoardProcess>(e2e::Board::sim_rtu, pty_->a());
    } else {
        board_ = std::make_unique<e2e::BoardProcess>(e2e::Board::sim_tcp);
    }
    if (!board_->ready()) {
        std::fprintf(stderr, "soak: treadmill-sim did not come up:\n%s\n", board_->log().c_str());
        return false;
    }
    const std::string bus =
        options_.transport == "rtu" ? e2e::rtu_bus(pty_->b()) : e2e::tcp_bus(*board_);
    daemon_ = std::make_unique<e2e::DaemonProcess>(bus, kDaemonExtra);
    if (!daemon_->wait_idle(20s)) {
        std::fprintf(stderr, "soak: treadmilld did not reach idle:\n%s\n", daemon_->log().c_str());
        return false;
    }
    calibrate();
    return true;
}

// The simulator's clock against ours (midpoint of a cheap state request without writes).
void SoakRunner::calibrate() {
    const double before = now_s();
    const json reply = sim({{"cmd", "state"}, {"writes_since", 1e12}});
    const double after = now_s();
    const double sim_wall = reply["state"]["wall_s"].get<double>();
    sim_offset_s_ = sim_wall - (before + after) / 2;
    epoch_offset_s_ = e2e::epoch_now() - sim_now();
}

json SoakRunner::sim(const json& command) {
    return board_->control(command);
}

// One API call on the soak's own connection (reconnecting after a time-out or a close).
std::optional<json> SoakRunner::api(const json& request) {
    if (!client_ || !client_->connected() || client_->eof())
        client_ = std::make_unique<t::LineClient>(daemon_->socket());
    json r = request;
    r["id"] = ++request_id_;
    auto reply = client_->call(r, 2s);
    if (!reply || (*reply)["id"] != r["id"]) {
        ++api_timeouts_;
        client_.reset();
        return std::nullopt;
    }
    return reply;
}

// A status call: its latency, the state, the loop statistics, and trips.
void SoakRunner::poll_status() {
    const auto t = std::chrono::steady_clock::now();
    const auto reply = api({{"cmd", "status"}});
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
    latencies_.add(ms);
    if (!reply || !reply->contains("status")) return;
    const json& status = (*reply)["status"];
    state_ = status.value("state", std::string());
    loop_ = status.contains("loop") ? status["loop"] : json();
    api_ = status.contains("api") ? status["api"] : json();
    if (status.contains("fault") && status["fault"].is_object()) note_trip(status["fault"]);
}

// A fault not seen before: the belt must be stopped from its time on.
void SoakRunner::note_trip(const json& fault) {
    const std::string since = fault.value("since", std::string());
    if (since.empty() || since == last_fault_since_) return;
    last_fault_since_ = since;
    ++trips_;
    const std::string code = fault.value("code", std::string("?"));
    ++trips_by_code_[code];
    checker_.must_stop_from(e2e::parse_rfc3339(since) - epoch_offset_s_, "trip " + code);
}

// New writes from the simulator's record; those older than `hold_back_s` are checked.
void SoakRunner::fetch_writes(double hold_back_s) {
    const json reply = sim({{"cmd", "state"}, {"writes_since", last_write_t_}});
    if (!reply.contains("state")) return;
    const double fetched_at = sim_now();
    for (const auto& w : e2e::drive_writes(reply["state"], last_write_t_ + 1e-9))
        pending_.push_back({w.t, w.command, w.frequency});
    for (const auto& w : reply["state"]["writes"])
        last_write_t_ = std::max(last_write_t_, w["t"].get<double>());
    std::vector<DriveWrite> ready;
    std::size_t keep = 0;
    while (keep < pending_.size() && pending_[keep].t <= fetched_at - hold_back_s) ++keep;
    ready.assign(pending_.begin(), pending_.begin() + static_cast<long>(keep));
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(keep));
    checker_.check(ready);
}

void SoakRunner::print_header() {
    std::printf("soak: %.0f min, seed %u, transport %s, treadmilld pid %d\n", options_.minutes,
                options_.seed, options_.transport.c_str(), daemon_->child().pid());
    std::printf("%4s %8s %4s %7s %7s %7s %-22s %6s %6s %6s %6s %5s %5s %6s %4s\n", "min", "rss_kB",
                "fds", "p50_ms", "p99_ms", "max_ms", "loop cyc/late/max_ms", "srv<=", "cyc>50",
                "cyc<=", "progs", "fault", "trips", "runs", "viol");
    std::fflush(stdout);
}

namespace {

// A histogram under `key` of `object` (json), or nullopt.
std::optional<LatencyHistogram> histogram_in(const json& object, const char* key) {
    if (!object.is_object()) return std::nullopt;
    return bench::loop_histogram(json{{"loop", object}}, key);
}

// The upper bound (ms) of the highest non-empty bucket of `after - before`; 0 when empty.
double worst_bound(const LatencyHistogram& after, const LatencyHistogram& before) {
    const auto d = bench::histogram_diff(after, before);
    for (std::size_t i = d.size(); i-- > 0;)
        if (d[i] > 0) return i < kLatencyBoundsMs.size() ? kLatencyBoundsMs[i] : 1e9;
    return 0;
}

}  // namespace

SoakRunner::MinuteTimes SoakRunner::minute_times() {
    MinuteTimes t;
    const auto api_now = histogram_in(api_, "hist");
    const auto api_then = histogram_in(api_at_minute_, "hist");
    if (api_now) t.server_max_ms = worst_bound(*api_now, api_then.value_or(LatencyHistogram{}));
    const auto cyc_now = histogram_in(loop_, "cycle_hist");
    const auto cyc_then = histogram_in(loop_at_minute_, "cycle_hist");
    if (cyc_now) {
        const auto then = cyc_then.value_or(LatencyHistogram{});
        t.cycle_max_ms = worst_bound(*cyc_now, then);
        t.long_cycles = 0;
        for (std::size_t i = 0; i < then.size(); ++i)
            if (i >= kLatencyBoundsMs.size() || kLatencyBoundsMs[i] > 50)
                t.long_cycles += static_cast<long long>((*cyc_now)[i] - then[i]);
    }
    api_at_minute_ = api_;
    loop_at_minute_ = loop_;
    return t;
}

void SoakRunner::print_minute(int minute) {
    const pid_t pid = daemon_->child().pid();
    char loop[64] = "n/a";
    if (loop_.is_object() && loop_.contains("cycles"))
        std::snprintf(loop, sizeof loop, "%ld/%ld/%.1f", loop_.value("cycles", 0L),
                      loop_.value("late", 0L), loop_.value("max_late_ms", 0.0));
    const std::size_t violations = checker_.violations().size() + other_violations_.size();
    // This minute's worst server time (status.api.hist) and cycle lengths (status.loop.cycle_hist),
    // as the upper bounds of their buckets; -1 when the daemon does not report them.
    const MinuteTimes times = minute_times();
    std::printf("%4d %8ld %4ld %7.2f %7.2f %7.2f %-22s %6.1f %6lld %6.1f %6d %5d %5d %6zu %4zu\n",
                minute, rss_kb(pid), open_fds(pid), latencies_.quantile(0.5),
                latencies_.quantile(0.99), latencies_.max(), loop, times.server_max_ms,
                times.long_cycles, times.cycle_max_ms, programs_, faults_, trips_,
                checker_.run_writes(), violations);
    std::fflush(stdout);
    latencies_.clear();
}

int SoakRunner::run() {
    if (!start_processes()) return 1;
    print_header();
    const double end = now_s() + options_.minutes * 60;
    double next_tick = now_s(), next_fetch = now_s() + kFetchEvery, next_row = now_s() + 60;
    int minute = 0;
    while (now_s() < end) {
        std::this_thread::sleep_for(
            std::chrono::duration<double>(std::max(0.0, next_tick - now_s())));
        next_tick += kTick;
        if (!daemon_->child().running()) {
            other_violations_.push_back("treadmilld exited");
            break;
        }
        poll_status();
        step_scenario();
        if (now_s() >= next_fetch) {
            fetch_writes(kHoldBack);
            next_fetch += kFetchEvery;
        }
        if (now_s() >= next_row) {
            print_minute(++minute);
            next_row += 60;
        }
    }
    return finish();
}

// Stops what runs, checks the rest of the record, prints the summary.
int SoakRunner::finish() {
    api({{"cmd", "stop"}});
    std::this_thread::sleep_for(3s);
    fetch_writes(0);
    std::printf(
        "\nprograms started %d, stops sent %d, faults injected %d, trips %d, API "
        "time-outs %d, RUN writes checked %zu\n",
        programs_, stops_, faults_, trips_, api_timeouts_, checker_.run_writes());
    std::printf("faults:");
    for (const auto& [kind, n] : faults_by_kind_) std::printf(" %s=%d", kind.c_str(), n);
    std::printf("\ntrips:");
    for (const auto& [code, n] : trips_by_code_) std::printf(" %s=%d", code.c_str(), n);
    std::printf("\nlatest RUN after a must-stop moment (within the allowance): %.3f s\n",
                checker_.worst_stop_lag_s());
    for (const auto& v : other_violations_) std::printf("VIOLATION %s\n", v.c_str());
    for (const auto& v : checker_.violations()) std::printf("VIOLATION %s\n", v.c_str());
    const std::size_t n = checker_.violations().size() + other_violations_.size();
    std::printf("%zu invariant violations\n", n);
    return n == 0 ? 0 : 1;
}

}  // namespace treadmill::soak
