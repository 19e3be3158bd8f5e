// Playing a scenario: set-up, the timeline, and the observations it records.
#include "tests/scenarios/scenario_run.hpp"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "common/json_text.hpp"
#include "tests/e2e/e2e_rig.hpp"

namespace treadmill::scenarios {

namespace t = treadmill::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr double kAtRestKmh = 0.05;
constexpr auto kPollPause = 20ms;  // the board serves its bus on the thread we poll

const char* const kDefaultDaemonConfig =
    "limits: {accel: 5 km/h/s, decel: 5 km/h/s}\ncontrol: {countdown: 1 s}\n";

int link_errors(const json& status) {
    int total = 0;
    if (!status.is_object() || !status["links"].is_object()) return -1;
    for (const char* link : {"motor", "incline"}) {
        const auto& l = status["links"][link];
        if (l.is_object() && l["errors"].is_number_integer()) total += l["errors"].get<int>();
    }
    return total;
}

}  // namespace

ScenarioRun::ScenarioRun(Scenario scenario, Transport transport)
    : scenario_(std::move(scenario)), transport_(transport), dir_(t::make_temp_dir()) {}

ScenarioRun::~ScenarioRun() {
    daemon_.reset();
    board_.reset();
    pty_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void ScenarioRun::fail(const std::string& message) {
    failures_.push_back(message);
}

std::vector<std::string> ScenarioRun::run() {
    started_t_ = runner_now();
    if (!set_up()) return failures_;
    zero_t_ = last_step_t_ = runner_now();
    for (std::size_t i = 0; i < scenario_.timeline.size(); ++i)
        if (!play_step(i, scenario_.timeline[i])) break;
    finish();
    if (failures_.empty()) check_expectation();
    check_no_motion_without_start();
    return failures_;
}

// Boards, pty, daemon at idle; the program started and at speed when the scenario asks.
bool ScenarioRun::set_up() {
    std::string bus;
    if (is_rtu(transport_)) {
        try {
            pty_ = std::make_unique<t::PtyPair>();
        } catch (const std::exception& e) {
            return fail(e.what()), false;
        }
        bus = "bus: {transport: rtu, device: " + pty_->b() + ", baud: 19200, parity: none}\n";
    }
    board_ = std::make_unique<Board>(transport_, dir_, pty_ ? pty_->a() : "",
                                     scenario_.board_time_scale);
    if (!board_->ready()) return fail("the board did not start:\n" + board_->log()), false;
    if (!is_rtu(transport_))
        bus = "bus: {transport: tcp, host: 127.0.0.1, port: " + std::to_string(board_->port()) +
              "}\n";
    const std::string extra =
        scenario_.daemon_config.empty() ? kDefaultDaemonConfig : scenario_.daemon_config;
    daemon_ = std::make_unique<e2e::DaemonProcess>(bus, extra);
    if (!daemon_->wait_idle(15s)) return fail("the daemon did not reach idle"), false;
    if (!scenario_.start_speed) return true;
    json start = program_request(scenario_.program);
    start["id"] = 2;
    start["cmd"] = "start";
    const double sent = runner_now();
    const auto reply = daemon_->call(start);
    if (!reply || (*reply)["ok"] != true)
        return fail("start refused: " + (reply ? json_text(*reply) : "no reply")), false;
    seen_.events.push_back({MotionEvent::explicit_start, sent, "start"});
    const double speed = *scenario_.start_speed;
    Condition at_speed;
    at_speed.belt_above = speed;
    at_speed.state = "running";
    if (!t::wait_until([&] { return poll(), condition_met(at_speed); }, 10s))
        return fail("the belt did not reach the start speed"), false;
    return true;
}

bool ScenarioRun::play_step(std::size_t index, const Step& step) {
    if (step.at_s) t::wait_until([&] { return poll(), runner_now() >= zero_t_ + *step.at_s; }, 60s);
    if (step.after_s)
        t::wait_until([&] { return poll(), runner_now() >= last_step_t_ + *step.after_s; }, 60s);
    if (!step.when.empty()) {
        const auto within = std::chrono::milliseconds(static_cast<int>(step.within_s * 1000));
        if (!t::wait_until([&] { return poll(), condition_met(step.when); }, within)) {
            fail("step " + std::to_string(index) + " (" + step.describe() + "): condition" +
                 step.when.describe() + " not met within " + std::to_string(step.within_s) +
                 " s (state " + seen_.last_state + ", belt " + std::to_string(board_->belt_kmh()) +
                 " km/h)");
            return false;
        }
    }
    if (step.mark) {
        seen_.mark_t = runner_now();
        seen_.mark_epoch = epoch_now();
        seen_.link_errors_at_mark = seen_.link_errors_last;
    }
    const bool ok = perform(step);
    last_step_t_ = runner_now();
    return ok;
}

bool ScenarioRun::perform(const Step& step) {
    if (!step.sim.is_null()) {
        const auto reply = board_->control(step.sim);
        if (reply.is_object() && reply["ok"] == true) return true;
        return fail("board refused " + json_text(step.sim) + ": " + json_text(reply)), false;
    }
    if (!step.api.is_null()) {
        json request = step.api;
        if (request["cmd"] == "start" && !request.contains("yaml") && !request.contains("program"))
            request.update(program_request(scenario_.program));
        request["id"] = 7;
        const double sent = runner_now();
        const auto reply = daemon_->call(request);
        const bool ok = reply && (*reply)["ok"] == true;
        if (ok && (request["cmd"] == "start" || request["cmd"] == "resume"))
            seen_.events.push_back(
                {MotionEvent::explicit_start, sent, request["cmd"].get<std::string>()});
        if (step.expect_ok && *step.expect_ok != ok)
            return fail("api " + json_text(request["cmd"]) + " replied " +
                        (reply ? json_text(*reply) : "nothing")),
                   false;
        return true;
    }
    if (!step.pty.empty()) return perform_pty(step.pty);
    const auto& sig = step.daemon_signal;
    if (sig.empty()) return true;
    const double now = runner_now();
    if (sig == "kill9") daemon_->child().signal(SIGKILL);
    if (sig == "sigterm") daemon_->child().signal(SIGTERM);
    if (sig == "sigcont") daemon_->child().signal(SIGCONT), daemon_frozen_ = false;
    if (sig == "sigstop") daemon_->child().signal(SIGSTOP), daemon_frozen_ = true;
    if (sig == "kill9" || sig == "sigstop") seen_.events.push_back({MotionEvent::freeze, now, sig});
    return true;
}

bool ScenarioRun::perform_pty(const std::string& what) {
    if (!pty_) return fail("pty actions need an RTU transport"), false;
    if (what == "remove") {
        pty_->down();
        return true;
    }
    if (!pty_->up()) return fail("socat did not make the pty pair again"), false;
    return true;
}

// One round of observation: the board's state and new writes, then the daemon's status.
void ScenarioRun::poll() {
    std::this_thread::sleep_for(kPollPause);
    if (board_->poll() && seen_.mark_t && !seen_.rest_t && board_->belt_kmh() < kAtRestKmh)
        seen_.rest_t = runner_now();
    poll_daemon();
}

void ScenarioRun::poll_daemon() {
    if (!daemon_ || daemon_frozen_ || daemon_exited_) return;
    if (!daemon_->child().running()) {
        daemon_exited_ = true;
        seen_.exit_code = daemon_->child().wait_exit(0ms);
        seen_.last_state = "exited";
        return;
    }
    const double asked = runner_now();
    const json status = daemon_->status();
    const double answered = runner_now();
    if (!status.is_object() || !status["state"].is_string()) return;
    const std::string state = status["state"].get<std::string>();
    if (state == "fault" && seen_.last_state != "fault") {
        // The daemon's own stamp orders the trip among the drive writes (no later than the
        // reply that showed it); the latency is measured by us: the reply that first showed it.
        double stamped = asked;
        const auto& fault = status["fault"];
        if (fault.is_object() && fault["since"].is_string())
            stamped = std::min(answered, e2e::parse_rfc3339(fault["since"].get<std::string>()) -
                                             epoch_now() + runner_now());
        seen_.events.push_back({MotionEvent::trip, stamped, fault.value("code", "?")});
        if (!seen_.ever_fault) {
            seen_.ever_fault = true;
            seen_.fault = fault.value("code", "?");
            seen_.fault_t = answered;
            seen_.fault_stamp_t = stamped;
        }
    }
    seen_.last_state = state;
    seen_.link_errors_last = link_errors(status);
    status_ = status;
}

bool ScenarioRun::condition_met(const Condition& c) const {
    const auto& s = status_;
    const bool key = s.is_object() && s["key_present"] == true;
    const std::string fault =
        s.is_object() && s["fault"].is_object() ? s["fault"].value("code", "") : "";
    return (!c.state || seen_.last_state == *c.state) && (!c.fault || fault == *c.fault) &&
           (!c.belt_above || board_->belt_kmh() > *c.belt_above) &&
           (!c.belt_below || board_->belt_kmh() < *c.belt_below) &&
           (!c.key_present || key == *c.key_present) &&
           (!c.daemon_exited || daemon_exited_ == *c.daemon_exited) &&
           (!c.drive_fault || board_->drive_fault() == *c.drive_fault);
}

// Watches on after the last step: `observe`, and long enough to see the belt come to rest.
void ScenarioRun::finish() {
    const auto& e = scenario_.expect;
    const double until = runner_now() + e.observe_s;
    t::wait_until([&] { return poll(), runner_now() >= until; }, 60s);
    if (e.rest_within_s && seen_.mark_t && !seen_.rest_t) {
        const double limit = *seen_.mark_t + *e.rest_within_s + 0.5;
        t::wait_until([&] { return poll(), seen_.rest_t || runner_now() >= limit; }, 60s);
    }
    // The stop frame: the first STOP after the mark that follows a RUN (so not the STOPs an idle
    // or counting-down daemon writes anyway).
    bool was_running = false;
    for (const auto& w : board_->drive_writes()) {
        if (seen_.mark_t && w.command == kStopCommand && was_running && w.t >= *seen_.mark_t) {
            seen_.first_stop_t = w.t;
            break;
        }
        was_running = w.command == kRunForwardCommand && w.frequency != 0;
    }
}

}  // namespace treadmill::scenarios
