// The daemon's metrics on the real Daemon in-process (embedded simulator): counted during a
// workout, answered on the remote socket, saved to metrics.file while it runs ("clean": false)
// and at shutdown ("clean": true), kept across a restart, an unclean end counted at the next
// start, the periodic save proved by kill -9 mid-workout, and `treadmillctl metrics` printing
// text that promtool accepts.
#include <doctest/doctest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "tests/daemon/in_process_daemon.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
namespace t = treadmill::testing;

namespace {

constexpr const char* kSteady =
    "schema: treadmill-workout/1\nname: metrics test\nsteps:\n  - run: 10 min\n    speed: 8 km/h\n";

json metrics_of(t::LineClient& client) {
    const auto reply = client.call({{"id", 1}, {"cmd", "metrics"}}, 5s);
    REQUIRE(reply);
    REQUIRE_MESSAGE((*reply)["ok"] == true, treadmill::json_text(*reply));
    return (*reply)["metrics"];
}

json file_json(const std::string& path) {
    return json::parse(t::read_file(path), nullptr, false);
}

std::uint64_t modbus_ok(const json& counters) {
    std::uint64_t ok = 0;
    for (const auto& [board, results] : counters["modbus_transactions"].items())
        ok += results["ok"].get<std::uint64_t>();
    return ok;
}

}  // namespace

TEST_CASE("metrics: counted in a workout, saved, kept across restarts, an unclean end counted") {
    const std::string state_dir = t::make_temp_dir();
    const std::string file = state_dir + "/metrics.json";
    const std::string config = "metrics: {file: " + file + "}\n";
    const std::string remote = ", remote_socket: @DIR@/remote.sock";
    double belt_s = 0;
    {
        t::ConfiguredDaemon daemon(config, remote);
        t::LineClient client(daemon.dir() + "/remote.sock");  // allowed on the remote socket
        json m = metrics_of(client);
        CHECK(m["counters"]["starts"] == 1);
        CHECK(m["counters"]["unclean_exits"] == 0);
        CHECK(m["gauges"]["state"] == "idle");
        // Saved at once, marked as running.
        REQUIRE(t::wait_until([&] { return file_json(file).is_object(); }, 5s));
        CHECK(file_json(file)["clean"] == false);

        const auto started = daemon.call({{"id", 2}, {"cmd", "start"}, {"yaml", kSteady}});
        REQUIRE(started);
        REQUIRE((*started)["ok"] == true);
        REQUIRE(t::wait_until(
            [&] {
                m = metrics_of(client);
                return m["counters"]["belt_running_s"].get<double>() > 1.0;
            },
            20s));
        CHECK(m["counters"]["motor_starts"] == 1);
        CHECK(m["counters"]["belt_distance_m"].get<double>() > 0);
        CHECK(modbus_ok(m["counters"]) > 10);
        CHECK(m["gauges"]["state"] == "running");
        CHECK(m["gauges"]["speed_kmh"].get<double>() > 0);
        CHECK(m["gauges"]["motor_current_a"].is_number());
        CHECK(m["gauges"]["dc_bus_v"].is_number());

        REQUIRE(daemon.call({{"id", 3}, {"cmd", "stop"}}));
        REQUIRE(t::wait_until(
            [&] { return metrics_of(client)["counters"]["sessions"].value("stopped", 0) == 1; },
            20s));
        m = metrics_of(client);
        belt_s = m["counters"]["belt_running_s"].get<double>();
        CHECK(daemon.stop() == 0);
    }
    json saved = file_json(file);
    REQUIRE(saved.is_object());
    CHECK(saved["clean"] == true);
    CHECK(saved["counters"]["motor_starts"] == 1);
    CHECK(saved["counters"]["sessions"]["stopped"] == 1);
    CHECK(saved["counters"]["belt_running_s"].get<double>() >= belt_s);
    const std::uint64_t saved_ok = modbus_ok(saved["counters"]);
    CHECK(saved_ok > 10);

    {  // A clean restart: the counters go on from the file.
        t::ConfiguredDaemon daemon(config);
        const auto reply = daemon.call({{"id", 4}, {"cmd", "metrics"}});
        REQUIRE(reply);
        const json c = (*reply)["metrics"]["counters"];
        CHECK(c["starts"] == 2);
        CHECK(c["unclean_exits"] == 0);
        CHECK(c["motor_starts"] == 1);
        CHECK(c["sessions"]["stopped"] == 1);
        CHECK(modbus_ok(c) >= saved_ok);
        CHECK(daemon.stop() == 0);
    }
    // The file as a killed or aborted daemon leaves it: "clean": false.
    saved = file_json(file);
    saved["clean"] = false;
    std::ofstream(file) << saved.dump();
    {
        t::ConfiguredDaemon daemon(config);
        const auto reply = daemon.call({{"id", 5}, {"cmd", "metrics"}});
        REQUIRE(reply);
        const json c = (*reply)["metrics"]["counters"];
        CHECK(c["starts"] == 3);
        CHECK(c["unclean_exits"] == 1);
        CHECK(c["motor_starts"] == 1);

        // treadmillctl metrics: the exposition, accepted by promtool.
        const auto text =
            t::run_command({TREADMILLCTL_BIN, "--socket", daemon.socket(), "metrics"}, 10s);
        REQUIRE(text.exit_code == 0);
        CHECK(text.output.find("treadmill_unclean_exits_total 1\n") != std::string::npos);
        CHECK(text.output.find("treadmill_daemon_starts_total 3\n") != std::string::npos);
        CHECK(text.output.find("treadmill_state{state=\"idle\"} 1\n") != std::string::npos);
        const std::string prom = state_dir + "/out.prom";
        std::ofstream(prom) << text.output;
        const auto check =
            t::run_command({"/bin/sh", "-c", "promtool check metrics < " + prom}, 30s);
        INFO(check.output);
        CHECK(check.exit_code == 0);
        const auto as_json = t::run_command(
            {TREADMILLCTL_BIN, "--socket", daemon.socket(), "--json", "metrics"}, 10s);
        REQUIRE(as_json.exit_code == 0);
        CHECK(json::parse(as_json.output)["metrics"]["counters"]["starts"] == 3);
    }
    std::filesystem::remove_all(state_dir);
}

TEST_CASE("metrics: a corrupt state file is moved aside and the daemon starts from zero") {
    const std::string state_dir = t::make_temp_dir();
    const std::string file = state_dir + "/metrics.json";
    std::ofstream(file) << "{not json";
    t::ConfiguredDaemon daemon("metrics: {file: " + file + "}\n");
    const auto reply = daemon.call({{"id", 1}, {"cmd", "metrics"}});
    REQUIRE(reply);
    CHECK((*reply)["metrics"]["counters"]["starts"] == 1);
    CHECK(t::read_file(file + ".corrupt") == "{not json");
    CHECK(t::wait_until([&] { return file_json(file).is_object(); }, 5s));
    daemon.stop();
    std::filesystem::remove_all(state_dir);
}

TEST_CASE("maintenance: due in status and treadmillctl service, done, kept across a restart") {
    const std::string state_dir = t::make_temp_dir();
    const std::string config = "metrics: {file: " + state_dir +
                               "/metrics.json}\nmaintenance: {lubrication: 1 s, service: 1000 h}\n";
    const auto ctl = [](const std::string& socket, std::vector<std::string> args) {
        args.insert(args.begin(), {TREADMILLCTL_BIN, "--socket", socket});
        return t::run_command(args, 10s);
    };
    {
        t::ConfiguredDaemon daemon(config, ", remote_socket: @DIR@/remote.sock");
        CHECK(daemon.status()["maintenance_due"] == json::array());
        REQUIRE(daemon.call({{"id", 2}, {"cmd", "start"}, {"yaml", kSteady}}));
        REQUIRE(t::wait_until(
            [&] { return daemon.status()["maintenance_due"] == json::array({"lubrication"}); },
            30s));
        REQUIRE(daemon.call({{"id", 3}, {"cmd", "stop"}}));
        REQUIRE(t::wait_until([&] { return daemon.state() == "idle"; }, 20s));

        const auto view = ctl(daemon.socket(), {"service"});
        INFO(view.output);
        CHECK(view.exit_code == 0);
        CHECK(view.output.find("lubrication") != std::string::npos);
        CHECK(view.output.find("DUE") != std::string::npos);
        CHECK(view.output.find("the start (never done)") != std::string::npos);

        // Not from the remote socket, and not an item the config does not name.
        t::LineClient remote(daemon.dir() + "/remote.sock");
        const auto refused =
            remote.call({{"id", 4}, {"cmd", "service_done"}, {"item", "lubrication"}}, 5s);
        REQUIRE(refused);
        CHECK((*refused)["error"]["code"] == "refused");
        const auto unknown = ctl(daemon.socket(), {"service", "--done", "belt"});
        CHECK(unknown.exit_code == 1);
        CHECK(unknown.output.find(
                  "no maintenance item 'belt' in the config (lubrication, service)") !=
              std::string::npos);

        const auto done = ctl(daemon.socket(), {"service", "--done", "lubrication"});
        INFO(done.output);
        CHECK(done.exit_code == 0);
        CHECK(done.output.find("lubrication: recorded as done now") != std::string::npos);
        CHECK(done.output.find("DUE") == std::string::npos);
        CHECK(daemon.status()["maintenance_due"] == json::array());
        // On disk before the reply.
        CHECK(file_json(state_dir + "/metrics.json")["counters"]["maintenance"].contains(
            "lubrication"));
        daemon.stop();
    }
    {
        t::ConfiguredDaemon daemon(config);
        const auto reply = daemon.call({{"id", 5}, {"cmd", "service"}});
        REQUIRE(reply);
        const json item = (*reply)["service"]["items"][0];
        CHECK(item["item"] == "lubrication");
        CHECK(item["last_done"].is_string());
        CHECK(item["due"] == false);
        daemon.stop();
    }
    CHECK_FALSE(
        treadmill::daemon::parse_config("maintenance: {lubrication: 0 h}\n", "t.yaml").ok());
    CHECK_FALSE(treadmill::daemon::parse_config("maintenance: {belt: 10 h}\n", "t.yaml").ok());
    std::filesystem::remove_all(state_dir);
}

TEST_CASE(
    "treadmilld killed, then aborted (as its watchdog does): each counted at the next start") {
    const std::string dir = t::make_temp_dir();
    const std::string socket = dir + "/control.sock";
    const std::string config = dir + "/treadmilld.yaml";
    std::ofstream(config) << "bus: {transport: sim}\n"
                          << t::state_in(dir) << "programs: {dirs: [" << dir
                          << "], user_dir: " << dir << "/user}\n";
    const auto counters = [&] {
        t::LineClient client(socket);
        const auto reply = client.call({{"id", 1}, {"cmd", "metrics"}}, 5s);
        return reply && reply->contains("metrics") ? (*reply)["metrics"]["counters"] : json{};
    };
    const auto run = [&](int sig) {
        t::ChildProcess daemon({TREADMILLD_BIN, "--config", config, "--socket", socket},
                               dir + "/log.txt");
        REQUIRE(t::wait_until([&] { return counters().is_object(); }, 20s));
        // Once it answers, its start is on disk, marked as running (written before the loop).
        const json c = counters();
        const json saved = file_json(dir + "/metrics.json");
        REQUIRE(saved.is_object());
        CHECK(saved["clean"] == false);
        CHECK(saved["counters"]["starts"] == c["starts"]);
        daemon.signal(sig);
        REQUIRE(daemon.wait_exit(20s));
        return c;
    };
    CHECK(run(SIGKILL)["unclean_exits"] == 0);
    json c = run(SIGABRT);
    CHECK(c["starts"] == 2);
    CHECK(c["unclean_exits"] == 1);
    c = run(SIGTERM);
    CHECK(c["starts"] == 3);
    CHECK(c["unclean_exits"] == 2);
    CHECK(t::read_file(dir + "/log.txt").find("the last run did not end cleanly") !=
          std::string::npos);
    CHECK(file_json(dir + "/metrics.json")["clean"] == true);  // SIGTERM: a clean end
    std::filesystem::remove_all(dir);
}

TEST_CASE("treadmilld saves the counters every 10 s while it runs: kill -9 loses at most that") {
    const std::string dir = t::make_temp_dir();
    const std::string socket = dir + "/control.sock";
    const std::string config = dir + "/treadmilld.yaml";
    const std::string file = dir + "/metrics.json";
    std::ofstream(config) << "bus: {transport: sim}\n"
                          << t::state_in(dir) << "programs: {dirs: [" << dir
                          << "], user_dir: " << dir << "/user}\ncontrol: {countdown: 1 s}\n";
    const auto counters = [&] {
        t::LineClient client(socket);
        const auto reply = client.call({{"id", 1}, {"cmd", "metrics"}}, 5s);
        return reply && reply->contains("metrics") ? (*reply)["metrics"]["counters"] : json{};
    };
    const auto saved_belt_s = [&] {
        const json saved = file_json(file);
        return saved.is_object() ? saved["counters"]["belt_running_s"].get<double>() : 0.0;
    };
    double saved_s = 0;
    {
        t::ChildProcess daemon({TREADMILLD_BIN, "--config", config, "--socket", socket},
                               dir + "/log.txt");
        REQUIRE(t::wait_until([&] { return counters().is_object(); }, 20s));
        CHECK(saved_belt_s() == 0.0);  // the start's save, before the belt moved
        t::LineClient client(socket);
        const auto started = client.call({{"id", 2}, {"cmd", "start"}, {"yaml", kSteady}}, 5s);
        REQUIRE(started);
        REQUIRE((*started)["ok"] == true);
        // No clean shutdown and no command that saves: only the periodic save puts belt time on
        // disk (the first within 10 s of the start, another 10 s later).
        REQUIRE(t::wait_until([&] { return saved_belt_s() > 0.0; }, 25s));
        const double first = saved_belt_s();
        REQUIRE(t::wait_until([&] { return saved_belt_s() > first; }, 15s));
        saved_s = saved_belt_s();
        CHECK(file_json(file)["clean"] == false);
        CHECK(file_json(file)["counters"]["motor_starts"] == 1);
        daemon.signal(SIGKILL);
        REQUIRE(daemon.wait_exit(20s));
    }
    CHECK(saved_belt_s() == saved_s);  // nothing written after the kill
    t::ChildProcess daemon({TREADMILLD_BIN, "--config", config, "--socket", socket},
                           dir + "/log.txt");
    REQUIRE(t::wait_until([&] { return counters().is_object(); }, 20s));
    const json c = counters();
    CHECK(c["belt_running_s"].get<double>() >= saved_s);
    CHECK(c["motor_starts"] == 1);
    CHECK(c["starts"] == 2);
    CHECK(c["unclean_exits"] == 1);
    daemon.signal(SIGTERM);
    CHECK(daemon.wait_exit(20s));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a watchdog abort leaves a mark: the next start counts a safety stop `watchdog`") {
    const std::string dir = t::make_temp_dir();
    const std::string socket = dir + "/control.sock";
    const std::string config = dir + "/treadmilld.yaml";
    const std::string file = dir + "/metrics.json";
    const std::string mark = file + ".watchdog";
    const std::string trigger = dir + "/stall-now";
    std::ofstream(config) << "bus: {transport: sim}\n"
                          << t::state_in(dir) << "programs: {dirs: [" << dir
                          << "], user_dir: " << dir << "/user}\n";
    const auto counters = [&] {
        t::LineClient client(socket);
        const auto reply = client.call({{"id", 1}, {"cmd", "metrics"}}, 5s);
        return reply && reply->contains("metrics") ? (*reply)["metrics"]["counters"] : json{};
    };
    {  // The loop stalls (the test hook sleeps in the cycle): the real watchdog aborts.
        t::ChildProcess daemon({STALLING_TREADMILLD_BIN, config, socket, trigger},
                               dir + "/stall-log.txt");
        REQUIRE(t::wait_until([&] { return counters().is_object(); }, 20s));
        CHECK(counters()["safety_stops"].value("watchdog", 0) == 0);
        std::ofstream(trigger) << "stall\n";
        const auto code = daemon.wait_exit(10s);
        REQUIRE(code);
        CHECK(*code == 128 + SIGABRT);
    }
    const std::string log = t::read_file(dir + "/stall-log.txt");
    INFO(log);
    CHECK(log.find("watchdog: control loop stalled") != std::string::npos);
    REQUIRE(t::read_file(mark).find("control loop stalled: no heartbeat for") == 0);
    CHECK(file_json(file)["clean"] == false);

    const auto run_to_sigterm = [&] {
        t::ChildProcess daemon({TREADMILLD_BIN, "--config", config, "--socket", socket},
                               dir + "/log.txt");
        REQUIRE(t::wait_until([&] { return counters().is_object(); }, 20s));
        const json c = counters();
        daemon.signal(SIGTERM);
        CHECK(daemon.wait_exit(20s) == std::optional(0));
        return c;
    };
    json c = run_to_sigterm();
    CHECK(c["starts"] == 2);
    CHECK(c["unclean_exits"] == 1);
    CHECK(c["safety_stops"]["watchdog"] == 1);
    CHECK(t::read_file(dir + "/log.txt")
              .find("the last run was aborted by the watchdog "
                    "(control loop stalled") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(mark));  // counted once: removed once saved
    c = run_to_sigterm();
    CHECK(c["starts"] == 3);
    CHECK(c["unclean_exits"] == 1);
    CHECK(c["safety_stops"]["watchdog"] == 1);
    std::filesystem::remove_all(dir);
}
