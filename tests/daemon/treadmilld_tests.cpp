// treadmilld as a process: readiness and stopping over a test NOTIFY_SOCKET, the API on its
// socket, a ramped stop on SIGTERM, bad configs and refused options; and the systemd unit.
#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "controller/api/ctl_run.hpp"
#include "tests/daemon/line_client.hpp"
#include "tests/daemon/notify_socket.hpp"
#include "tests/support/test_support.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
namespace t = treadmill::testing;

namespace {

struct DaemonRun {
    std::string dir = t::make_temp_dir();
    std::string socket = dir + "/control.sock";
    std::string log = dir + "/log.txt";
    t::NotifySocket notify{dir + "/notify"};
    std::optional<t::ChildProcess> child;

    // `time_scale` empty: no --time-scale (real buses refuse it); `watchdog_usec` set: the
    // daemon runs as under WatchdogSec= (systemd sets WATCHDOG_USEC).
    explicit DaemonRun(const std::string& config_text, const std::string& time_scale = "20",
                       const std::string& watchdog_usec = {}) {
        const std::string config = dir + "/treadmilld.yaml";
        std::ofstream(config) << config_text << t::state_in(dir, config_text);
        std::vector<std::string> argv{TREADMILLD_BIN, "--config", config, "--socket", socket};
        if (!time_scale.empty()) argv.insert(argv.end(), {"--time-scale", time_scale});
        setenv("NOTIFY_SOCKET", notify.name().c_str(), 1);
        if (!watchdog_usec.empty()) setenv("WATCHDOG_USEC", watchdog_usec.c_str(), 1);
        child.emplace(argv, log);
        unsetenv("NOTIFY_SOCKET");
        unsetenv("WATCHDOG_USEC");
    }
    // Waits for one notify message, skipping STATUS= lines.
    std::optional<std::string> next_state(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            auto m = notify.receive(100ms);
            if (m && m->rfind("STATUS=", 0) != 0 && *m != "WATCHDOG=1") return m;
        }
        return std::nullopt;
    }
    json status(t::LineClient& c) {
        const auto reply = c.call({{"id", 1}, {"cmd", "status"}});
        REQUIRE(reply);
        return (*reply)["status"];
    }
};

}  // namespace

TEST_CASE("treadmilld on the embedded simulator: READY=1 at idle, API, SIGTERM ramps and exits 0") {
    DaemonRun run("bus: {transport: sim}\n");
    REQUIRE_MESSAGE(run.next_state(10s) == std::optional<std::string>("READY=1"),
                    t::read_file(run.log));
    t::LineClient client(run.socket);
    REQUIRE(client.connected());
    CHECK(run.status(client)["state"] == "idle");

    const auto started = client.call(
        {{"id", 2}, {"cmd", "start"}, {"program", "5k-time-trial"}, {"pace", {{"5k", "5:00/km"}}}});
    REQUIRE(started);
    CHECK_MESSAGE((*started)["ok"] == true, started->dump());
    CHECK(t::wait_until([&] { return run.status(client)["state"] == "running"; }, 10s));
    CHECK(t::wait_until([&] { return run.status(client)["speed"]["actual_kmh"] > 2.0; }, 10s));
    {  // treadmillctl's side of the same commands
        std::ostringstream out, err;
        const treadmill::api::CtlContext ctl{run.socket, false, out, err};
        CHECK_MESSAGE(treadmill::api::run_daemon_command("speed", {"+0.5"}, ctl) == 0, err.str());
        CHECK(treadmill::api::run_daemon_command("status", {}, ctl) == 0);
        CHECK(out.str().find("treadmill  running") != std::string::npos);
        CHECK(treadmill::api::run_daemon_command("incline", {"steep"}, ctl) == 1);
        CHECK(err.str().find("incline: ") != std::string::npos);
    }
    const auto sim = client.call({{"id", 3}, {"cmd", "sim"}, {"command", {{"cmd", "state"}}}});
    REQUIRE(sim);
    CHECK((*sim)["sim"]["ok"] == true);

    run.child->signal(SIGTERM);
    CHECK(run.next_state(2s) == std::optional<std::string>("STOPPING=1"));
    const auto code = run.child->wait_exit(30s);
    CHECK_MESSAGE(code == std::optional<int>(0), t::read_file(run.log));
    const std::string log = t::read_file(run.log);
    CHECK(log.find("stopping") != std::string::npos);
    CHECK(log.find("state stopping") != std::string::npos);  // a ramp, not a cut
}

TEST_CASE(
    "treadmilld: no READY=1 while connecting, READY=1 once the boards answer; WATCHDOG=1 at "
    "half WATCHDOG_USEC from the watchdog thread") {
    const auto port = t::free_tcp_port();
    DaemonRun run("bus: {transport: tcp, host: 127.0.0.1, port: " + std::to_string(port) + "}\n",
                  "", "400000");
    // Nobody answers on the port: connecting, with its reason; pings (the loop is alive) but
    // no READY.
    int pings = 0;
    bool ready = false, told_reason = false;
    const auto t0 = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - t0 < 1500ms) {
        const auto m = run.notify.receive(100ms);
        if (!m) continue;
        pings += *m == "WATCHDOG=1";
        ready = ready || *m == "READY=1";
        told_reason = told_reason || m->rfind("STATUS=connecting: ", 0) == 0;
    }
    CHECK_FALSE(ready);
    CHECK_MESSAGE(told_reason, t::read_file(run.log));
    MESSAGE("while connecting: " << pings << " WATCHDOG=1 in 1.5 s (period 200 ms)");
    CHECK(pings >= 5);
    CHECK(pings <= 9);

    const std::string board_dir = t::make_temp_dir();
    t::ChildProcess board({TREADMILL_SIM_BIN, "--tcp", "127.0.0.1:" + std::to_string(port)},
                          board_dir + "/board.log");
    const auto board_up = std::chrono::steady_clock::now();
    std::optional<std::string> state;
    while (!state && std::chrono::steady_clock::now() - board_up < 5s) state = run.next_state(5s);
    REQUIRE_MESSAGE(state == std::optional<std::string>("READY=1"), t::read_file(run.log));
    MESSAGE("READY=1 "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - board_up).count()
            << " s after the boards came up (connecting retries each second)");
    t::LineClient client(run.socket);
    CHECK(run.status(client)["state"] == "idle");
}

TEST_CASE("treadmilld says at start how it is scheduled; with no system bus a session runs on") {
    const std::string dir = t::make_temp_dir();
    setenv("DBUS_SYSTEM_BUS_ADDRESS", ("unix:path=" + dir + "/no-bus").c_str(), 1);
    DaemonRun run("bus: {transport: sim}\n");
    unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
    REQUIRE_MESSAGE(run.next_state(10s) == std::optional<std::string>("READY=1"),
                    t::read_file(run.log));
    t::LineClient client(run.socket);
    for (int session = 0; session < 2; ++session) {
        const auto started =
            client.call({{"id", 2},
                         {"cmd", "start"},
                         {"yaml",
                          "schema: treadmill-workout/1\nname: steady\nsteps:\n  - run: 60 s\n"
                          "    speed: 6 km/h\n"}});
        REQUIRE(started);
        REQUIRE_MESSAGE((*started)["ok"] == true, started->dump());
        CHECK(t::wait_until([&] { return run.status(client)["state"] == "running"; }, 10s));
        CHECK(client.call({{"id", 3}, {"cmd", "stop"}}));
        CHECK(t::wait_until([&] { return run.status(client)["state"] == "idle"; }, 10s));
    }
    CHECK(run.status(client)["loop"]["log_dropped"] == 0);
    run.child->signal(SIGTERM);
    CHECK(run.child->wait_exit(30s) == std::optional<int>(0));
    const std::string log = t::read_file(run.log);
    // "real-time: loop at SCHED_FIFO 49, ..." or "not real-time: loop at SCHED_OTHER; ..."
    CHECK_MESSAGE(log.find("real-time: loop at SCHED_") != std::string::npos, log);
    CHECK_MESSAGE(log.find("; memory ") != std::string::npos, log);
    const auto first = log.find("cannot block suspend during sessions (no D-Bus system bus");
    CHECK_MESSAGE(first != std::string::npos, log);
    CHECK_MESSAGE(log.find("cannot block suspend", first + 1) == std::string::npos, log);
}

TEST_CASE("a bad config exits non-zero with located errors, before anything starts") {
    DaemonRun run("bus: {transport: sim}\nlimits:\n  max_sped: 12 km/h\n  accel: fast\n");
    const auto code = run.child->wait_exit(10s);
    CHECK(code == std::optional<int>(1));
    const std::string log = t::read_file(run.log);
    CHECK(log.find(":3:3: error: unknown key 'limits.max_sped'; did you mean 'max_speed'?") !=
          std::string::npos);
    CHECK(log.find(":4:10: error: expected a rate like '1 km/h/s'; got 'fast'") !=
          std::string::npos);
    CHECK_FALSE(run.notify.receive(0ms).has_value());
}

TEST_CASE("--time-scale is refused with real hardware") {
    DaemonRun run("bus: {transport: tcp, host: 127.0.0.1, port: 1}\n");
    CHECK(run.child->wait_exit(10s) == std::optional<int>(2));
    CHECK(t::read_file(run.log).find("--time-scale is refused") != std::string::npos);
}

TEST_CASE("systemd-analyze verify passes on the unit with ExecStart at the built binary") {
    if (t::run_command({"sh", "-c", "command -v systemd-analyze"}, 5s).exit_code != 0) {
        MESSAGE("systemd-analyze is not installed; skipped");
        return;
    }
    std::string unit = t::read_file(TREADMILL_UNIT_FILE);
    REQUIRE_FALSE(unit.empty());
    const std::string from = "ExecStart=@TREADMILL_SBINDIR@/treadmilld";
    const auto at = unit.find(from);
    REQUIRE(at != std::string::npos);
    unit.replace(at, from.size(), std::string("ExecStart=") + TREADMILLD_BIN);
    const std::string dir = t::make_temp_dir();
    const std::string copy = dir + "/treadmilld.service";
    std::ofstream(copy) << unit;
    // verify runs man(1) on Documentation=man:treadmilld(8): the page from the source tree.
    std::string page = TREADMILL_UNIT_FILE;
    page.replace(page.rfind("systemd/"), std::string::npos, "man/treadmilld.8");
    REQUIRE(t::run_command({"mkdir", "-p", dir + "/man/man8"}, 5s).exit_code == 0);
    REQUIRE(t::run_command({"cp", page, dir + "/man/man8/"}, 5s).exit_code == 0);
    const auto result =
        t::run_command({"env", "MANPATH=" + dir + "/man", "systemd-analyze", "verify", copy}, 30s);
    CHECK_MESSAGE(result.exit_code == 0, result.output);
    for (const char* key :
         {"Type=notify", "WatchdogSec=2s", "Restart=on-failure", "TimeoutStartSec=infinity",
          "TimeoutStopSec=30", "User=treadmill", "SupplementaryGroups=dialout",
          "DeviceAllow=char-ttyUSB rw", "DeviceAllow=char-ttyACM rw", "ProtectSystem=strict",
          "NoNewPrivileges=yes", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
          "CPUSchedulingPolicy=fifo", "CPUSchedulingPriority=49", "LimitRTPRIO=50",
          "LimitMEMLOCK=128M", "RestrictRealtime=no",
          "StateDirectory=treadmilld treadmilld/programs"}) {
        CHECK_MESSAGE(unit.find(std::string("\n") + key + "\n") != std::string::npos, key);
    }
    // The system-call filter lets the watchdog thread's priority and mlockall through.
    const auto service =
        t::run_command({"systemd-analyze", "syscall-filter", "@system-service"}, 30s);
    for (const char* set : {"@resources", "@memlock"})
        CHECK_MESSAGE(service.output.find(std::string("    ") + set + "\n") != std::string::npos,
                      set);
    const auto sets =
        t::run_command({"systemd-analyze", "syscall-filter", "@resources", "@memlock"}, 30s);
    for (const char* call : {"sched_setscheduler", "sched_setparam", "mlockall"})
        CHECK_MESSAGE(sets.output.find(std::string("    ") + call + "\n") != std::string::npos,
                      call);
}
