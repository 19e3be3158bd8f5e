// The last line of defence, on the real Daemon in-process (embedded simulator, real socket, real
// Modbus TCP): an exception thrown inside each kind of callback on its event loop — the control
// loop's timer, an API request, the signal handler — latches fault `internal`, writes STOP (the
// simulator's write record shows it after the last RUN), and the daemon keeps serving with its
// loop running. The throws come from DaemonTestHooks, which only an in-process test can set.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "controller/daemon/config_loader.hpp"
#include "controller/daemon/daemon.hpp"
#include "tests/daemon/line_client.hpp"
#include "tests/support/test_support.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
namespace d = treadmill::daemon;
namespace t = treadmill::testing;

namespace {

constexpr int kStop = 0x0001;
constexpr int kRunForward = 0x0012;
constexpr const char* kSteady =
    "schema: treadmill-workout/1\nname: guard test\nsteps:\n  - run: 10 min\n    speed: 8 km/h\n";

// A hook that throws once, when armed by the test thread (it runs on the daemon's thread).
struct OneThrow {
    std::atomic<bool> armed{false};
    std::atomic<int> thrown{0};
    std::function<void()> hook() {
        return [this] {
            if (!armed.exchange(false)) return;
            ++thrown;
            throw std::runtime_error("injected failure");
        };
    }
};

// treadmilld's Daemon on its own thread, configured for the embedded simulator at 10x.
class InProcessDaemon {
  public:
    explicit InProcessDaemon(d::DaemonTestHooks hooks) {
        const auto load = d::parse_config("bus: {transport: sim}\napi: {socket: " + socket_ +
                                              "}\n" + t::state_in(dir_) + "programs: {dirs: [" +
                                              dir_ + "]}\ncontrol: {countdown: 1 s}\n",
                                          dir_ + "/treadmilld.yaml");
        REQUIRE(load.ok());
        d::DaemonOptions options{load.config, 10.0};
        options.test_hooks = std::move(hooks);
        daemon_ = std::make_unique<d::Daemon>(std::move(options));
        thread_ = std::thread([this] {
            try {
                exit_code_ = daemon_->run();
            } catch (const std::exception& e) {
                escaped_ = e.what();  // what the guard is there to prevent
            }
            finished_ = true;
        });
    }
    ~InProcessDaemon() {
        client_.reset();
        if (!finished_) ::kill(::getpid(), SIGTERM);  // asio's signal_set takes it
        thread_.join();
        daemon_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    InProcessDaemon(const InProcessDaemon&) = delete;
    InProcessDaemon& operator=(const InProcessDaemon&) = delete;

    std::optional<json> call(const json& request) {
        if (!client_ || !client_->connected()) client_ = std::make_unique<t::LineClient>(socket_);
        return client_->call(request, 5s);
    }
    json status() {
        const auto reply = call({{"id", 1}, {"cmd", "status"}});
        return reply && reply->contains("status") ? (*reply)["status"] : json{};
    }
    std::string state() {
        const json s = status();
        return s.is_object() && s["state"].is_string() ? s["state"].get<std::string>() : "";
    }
    std::string fault_code() {
        const json s = status();
        return s.is_object() && s["fault"].is_object() ? s["fault"]["code"].get<std::string>() : "";
    }
    // The embedded simulator's state (its write record among it), through the API.
    json sim_state() {
        const auto reply = call({{"id", 3}, {"cmd", "sim"}, {"command", {{"cmd", "state"}}}});
        return reply && reply->contains("sim") ? (*reply)["sim"]["state"] : json{};
    }
    // Idle, a steady program started, the belt running at speed.
    void start_running() {
        REQUIRE_MESSAGE(t::wait_until([&] { return state() == "idle"; }, 20s), escaped_);
        const auto started = call({{"id", 2}, {"cmd", "start"}, {"yaml", kSteady}});
        REQUIRE(started);
        REQUIRE_MESSAGE((*started)["ok"] == true, treadmill::json_text(*started));
        REQUIRE(t::wait_until(
            [&] {
                const json s = status();
                return s["state"] == "running" && s["speed"]["actual_kmh"].get<double>() > 1.0;
            },
            20s));
    }
    void signal_self() { ::kill(::getpid(), SIGTERM); }
    bool finished() const { return finished_; }
    int exit_code() const { return exit_code_; }
    const std::string& escaped() const { return escaped_; }

  private:
    std::string dir_ = t::make_temp_dir();
    std::string socket_ = dir_ + "/api.sock";
    std::unique_ptr<d::Daemon> daemon_;
    std::unique_ptr<t::LineClient> client_;
    std::thread thread_;
    std::atomic<bool> finished_{false};
    std::string escaped_;  // written before finished_
    int exit_code_ = -1;
};

// The drive's command words (unit 1, 0x2000) in the order the simulator received them.
std::vector<int> drive_commands(const json& state) {
    std::vector<int> out;
    for (const auto& w : state["writes"]) {
        if (w["unit"] != 1 || w["address"] != 0x2000 || !w["values"].is_array()) continue;
        if (!w["values"].empty()) out.push_back(w["values"][0].get<int>());
    }
    return out;
}

// The belt was running and got STOP: a RUN, then STOP, and no RUN after that STOP.
void check_stop_after_run(const json& state) {
    const auto commands = drive_commands(state);
    const auto last_run = std::find(commands.rbegin(), commands.rend(), kRunForward);
    REQUIRE(last_run != commands.rend());
    const auto after = last_run.base();  // just past the last RUN
    CHECK(after != commands.end());
    CHECK(std::all_of(after, commands.end(), [](int c) { return c == kStop; }));
}

// The loop still runs: its cycle count grows, and the daemon answers.
void check_loop_runs(InProcessDaemon& daemon) {
    const auto cycles = [&] { return daemon.status()["loop"]["cycles"].get<std::uint64_t>(); };
    const auto before = cycles();
    CHECK(t::wait_until([&] { return cycles() >= before + 5; }, 5s));
    CHECK_FALSE(daemon.finished());
}

// Fault `internal` latched with the injected message; the daemon did not stop.
void check_internal_fault(InProcessDaemon& daemon, const char* where) {
    REQUIRE_MESSAGE(t::wait_until([&] { return daemon.fault_code() == "internal"; }, 5s),
                    "escaped: " << daemon.escaped());
    const json fault = daemon.status()["fault"];
    CHECK(fault["message"] == std::string("exception in ") + where + ": injected failure");
    CHECK(daemon.state() == "fault");
    check_stop_after_run(daemon.sim_state());
    check_loop_runs(daemon);
}

}  // namespace

TEST_CASE("a throw in the control loop's timer callback: fault internal, STOP, the loop goes on") {
    OneThrow thrower;
    InProcessDaemon daemon({.in_cycle = thrower.hook()});
    daemon.start_running();
    thrower.armed = true;
    check_internal_fault(daemon, "the after-cycle hook");
    CHECK(thrower.thrown == 1);
    // Motion stays refused until a reset: the fault latched.
    const auto restart = daemon.call({{"id", 4}, {"cmd", "start"}, {"yaml", kSteady}});
    REQUIRE(restart);
    CHECK((*restart)["ok"] == false);
}

TEST_CASE("a throw in an API request: an `internal` reply, fault internal, STOP; serving goes on") {
    OneThrow thrower;
    InProcessDaemon daemon({.in_request = thrower.hook()});
    daemon.start_running();
    thrower.armed = true;
    const auto reply = daemon.call({{"id", 5}, {"cmd", "pause"}});
    REQUIRE(reply);
    CHECK((*reply)["ok"] == false);
    CHECK((*reply)["error"]["code"] == "internal");
    check_internal_fault(daemon, "an API request");
    CHECK(thrower.thrown == 1);
}

TEST_CASE("a throw in the signal handler: fault internal, STOP; the next SIGTERM still stops it") {
    OneThrow thrower;
    InProcessDaemon daemon({.in_signal = thrower.hook()});
    daemon.start_running();
    thrower.armed = true;
    daemon.signal_self();
    check_internal_fault(daemon, "the signal handler");
    CHECK(thrower.thrown == 1);
    daemon.signal_self();  // not armed: the ordinary shutdown, from fault at once
    CHECK(t::wait_until([&] { return daemon.finished(); }, 10s));
    CHECK(daemon.exit_code() == 0);
    CHECK(daemon.escaped().empty());
}
