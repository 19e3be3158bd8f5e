// The real treadmillctl against the real treadmilld (embedded simulator, sped-up clock): a short
// program watched to its end, status --json, the commands' exit codes and refusals, a daemon
// that is not running, and usage errors.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "tests/daemon/line_client.hpp"
#include "tests/support/test_support.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
namespace t = treadmill::testing;

namespace {

constexpr const char* kShortProgram =
    "schema: treadmill-workout/1\n"
    "name: \"ctl live test\"\n"
    "steps:\n"
    "  - run: 20 s\n"
    "    speed: 8 km/h\n"
    "  - recover: 10 s\n"
    "    speed: 5 km/h\n";

struct LiveDaemon {
    std::string dir = t::make_temp_dir();
    std::string socket = dir + "/control.sock";
    std::string log = dir + "/treadmilld.log";
    std::string program = dir + "/short.yaml";
    std::optional<t::ChildProcess> child;

    // `state_dir`: where the pairing file and saved programs go (a fresh one when empty).
    explicit LiveDaemon(const std::string& scale, std::string state_dir = {}) {
        if (state_dir.empty()) state_dir = dir;
        const std::string config = dir + "/treadmilld.yaml";
        std::ofstream(config) << "bus: {transport: sim}\nprofile: " << dir << "/profile.yaml\n"
                              << "pairing: {file: " << state_dir << "/pairing.json}\n"
                              << "programs: {user_dir: " << state_dir << "/programs}\n"
                              << "history: {database: " << dir << "/history.db}\n"
                              << "metrics: {file: " << state_dir << "/metrics.json}\n";
        std::ofstream(program) << kShortProgram;
        child.emplace(std::vector<std::string>{TREADMILLD_BIN, "--config", config, "--socket",
                                               socket, "--time-scale", scale},
                      log);
        REQUIRE_MESSAGE(wait_until_state("idle", 15s), t::read_file(log));
    }
    t::CommandResult ctl(std::vector<std::string> args, std::chrono::milliseconds timeout = 10s) {
        args.insert(args.begin(), {TREADMILLCTL_BIN, "--socket", socket});
        return t::run_command(args, timeout);
    }
    std::optional<json> status() {
        const auto r = ctl({"status", "--json"});
        if (r.exit_code != 0) return std::nullopt;
        const auto reply = json::parse(r.output, nullptr, false);
        if (reply.is_discarded() || !reply.contains("status")) return std::nullopt;
        return reply["status"];
    }
    bool wait_until_state(const std::string& state, std::chrono::milliseconds timeout) {
        return t::wait_until(
            [&] {
                const auto s = status();
                return s && (*s)["state"] == state;
            },
            timeout);
    }
};

}  // namespace

TEST_CASE("treadmillctl start FILE, then watch runs to the end and prints the summary") {
    LiveDaemon daemon("20");
    const auto start = daemon.ctl({"start", daemon.program});
    CHECK_MESSAGE(start.exit_code == 0, start.output);
    const auto watch = daemon.ctl({"watch"}, 30s);
    CHECK_MESSAGE(watch.exit_code == 0, watch.output);
    CHECK(watch.output.find("ctl live test") != std::string::npos);
    CHECK(watch.output.find("[") != std::string::npos);  // progress bars
    const auto after = daemon.status();
    REQUIRE(after);
    CHECK((*after)["state"] == "idle");
}

TEST_CASE("treadmillctl status --json carries every field") {
    LiveDaemon daemon("20");
    const auto status = daemon.status();
    REQUIRE(status);
    for (const char* field :
         {"state", "reason", "fault", "program", "step", "elapsed_s", "distance_m", "speed",
          "pace_s_per_km", "incline", "key_present", "links"})
        CHECK_MESSAGE(status->contains(field), field);
}

TEST_CASE("treadmillctl commands: exit codes and refusals against a running workout") {
    LiveDaemon daemon("5");
    const auto refused_reset = daemon.ctl({"reset"});
    CHECK_MESSAGE(refused_reset.exit_code == 1, refused_reset.output);
    CHECK(refused_reset.output.find("refused") != std::string::npos);
    CHECK(daemon.ctl({"pause"}).exit_code == 1);  // nothing to pause

    REQUIRE(daemon.ctl({"start", daemon.program}).exit_code == 0);
    REQUIRE_MESSAGE(daemon.wait_until_state("running", 15s), t::read_file(daemon.log));
    const auto again = daemon.ctl({"start", daemon.program});
    CHECK_MESSAGE(again.exit_code == 1, again.output);
    CHECK(again.output.find("refused") != std::string::npos);

    const auto faster = daemon.ctl({"speed", "+0.5"});
    CHECK_MESSAGE(faster.exit_code == 0, faster.output);
    const auto slower = daemon.ctl({"speed", "-1"});  // a delta, not an option
    CHECK_MESSAGE(slower.exit_code == 0, slower.output);
    const auto incline = daemon.ctl({"incline", "2"});
    CHECK_MESSAGE(incline.exit_code == 0, incline.output);

    CHECK(daemon.ctl({"pause"}).exit_code == 0);
    CHECK(daemon.wait_until_state("paused", 10s));
    CHECK(daemon.ctl({"resume"}).exit_code == 0);
    CHECK(daemon.wait_until_state("running", 15s));
    const auto skip = daemon.ctl({"skip"});
    CHECK_MESSAGE(skip.exit_code == 0, skip.output);
    const auto stop = daemon.ctl({"stop"});
    CHECK_MESSAGE(stop.exit_code == 0, stop.output);
    CHECK(daemon.wait_until_state("idle", 15s));
}

TEST_CASE("with every client place taken by idle connections, treadmillctl stop stops the belt") {
    LiveDaemon daemon("5");
    const std::string long_program = daemon.dir + "/long.yaml";
    std::ofstream(long_program) << "schema: treadmill-workout/1\nname: long\nsteps:\n"
                                   "  - run: 60 min\n    speed: 8 km/h\n";
    REQUIRE(daemon.ctl({"start", long_program}).exit_code == 0);
    REQUIRE_MESSAGE(daemon.wait_until_state("running", 15s), t::read_file(daemon.log));
    REQUIRE(t::wait_until(
        [&] {
            const auto s = daemon.status();
            return s && (*s)["speed"]["actual_kmh"].get<double>() > 2.0;
        },
        15s));
    // 256 clients, the 16 places over the limit, and some more that take the places of the
    // first extra ones: all connected, none sending.
    std::vector<std::unique_ptr<t::LineClient>> idle;
    for (int i = 0; i < 256 + 16 + 8; ++i) {
        idle.push_back(std::make_unique<t::LineClient>(daemon.socket));
        REQUIRE(idle.back()->connected());
    }
    const auto refused = daemon.ctl({"speed", "+1"});  // not a command for the extra places
    CHECK(refused.exit_code == 1);
    CHECK_MESSAGE(refused.output.find("may only use") != std::string::npos, refused.output);
    const auto stop = daemon.ctl({"stop"});
    CHECK_MESSAGE(stop.exit_code == 0, stop.output);
    CHECK_MESSAGE(t::wait_until(
                      [&] {
                          const auto s = daemon.status();
                          return s && (*s)["state"] == "idle" &&
                                 (*s)["speed"]["actual_kmh"].get<double>() == 0.0;
                      },
                      15s),
                  t::read_file(daemon.log));
}

TEST_CASE("treadmillctl estop faults the daemon; reset clears it") {
    LiveDaemon daemon("5");
    const auto estop = daemon.ctl({"estop"});
    CHECK_MESSAGE(estop.exit_code == 0, estop.output);
    REQUIRE(daemon.wait_until_state("fault", 10s));
    const auto refused = daemon.ctl({"start", daemon.program});
    CHECK(refused.exit_code == 1);
    const auto reset = daemon.ctl({"reset"});
    CHECK_MESSAGE(reset.exit_code == 0, reset.output);
    CHECK(daemon.wait_until_state("idle", 15s));
}

TEST_CASE("treadmillctl watch: a stream that closes before the workout's summary exits 1") {
    for (const bool json_mode : {false, true}) {
        CAPTURE(json_mode);
        LiveDaemon daemon("5");
        REQUIRE(daemon.ctl({"start", daemon.program}).exit_code == 0);
        REQUIRE_MESSAGE(daemon.wait_until_state("running", 15s), t::read_file(daemon.log));
        const std::string out = daemon.dir + "/watch.out";
        std::vector<std::string> argv{TREADMILLCTL_BIN, "--socket", daemon.socket, "watch"};
        if (json_mode) argv.emplace_back("--json");
        t::ChildProcess watch(argv, out);
        // The watcher got its first screens, then the daemon dies mid-workout.
        REQUIRE(t::wait_until(
            [&] { return t::read_file(out).find("running") != std::string::npos; }, 5s));
        daemon.child->signal(SIGKILL);
        const auto code = watch.wait_exit(5s);
        REQUIRE(code.has_value());
        CHECK_MESSAGE(*code == 1, t::read_file(out));
        CHECK_MESSAGE(t::read_file(out).find("closed the stream before the workout ended") !=
                          std::string::npos,
                      t::read_file(out));
        CHECK(t::read_file(out).find("workout over") == std::string::npos);
    }
}

TEST_CASE("treadmillctl without a daemon: a clear message and exit 1; usage errors exit 2") {
    const std::string dir = t::make_temp_dir();
    const auto r =
        t::run_command({TREADMILLCTL_BIN, "--socket", dir + "/none.sock", "status"}, 10s);
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(r.output.find("not running") != std::string::npos, r.output);

    CHECK(t::run_command({TREADMILLCTL_BIN, "speed"}, 10s).exit_code == 2);
    CHECK(t::run_command({TREADMILLCTL_BIN, "sim", "not json"}, 10s).exit_code == 2);
    CHECK(t::run_command({TREADMILLCTL_BIN, "no-such-command"}, 10s).exit_code == 2);
}

TEST_CASE("treadmillctl on a socket it may not use: a clear message and exit 1") {
    if (geteuid() != 0 || !std::filesystem::exists("/usr/bin/setpriv")) {
        MESSAGE("skipped: needs root and setpriv to run treadmillctl as another user");
        return;
    }
    LiveDaemon daemon("20");  // its socket is root's, mode 0660
    const std::string ctl = daemon.dir + "/treadmillctl";
    std::filesystem::copy_file(TREADMILLCTL_BIN, ctl);
    chmod(daemon.dir.c_str(), 0755);
    chmod(ctl.c_str(), 0755);
    const auto r = t::run_command({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                   "--clear-groups", ctl, "--socket", daemon.socket, "status"},
                                  10s);
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(r.output.find("permission denied") != std::string::npos, r.output);
}

TEST_CASE("treadmillctl pair: a PIN a device redeems; list, revoke; the token survives a restart") {
    const std::string state = t::make_temp_dir();
    std::string token, device_id;
    {
        LiveDaemon daemon("1", state);
        const auto pair = daemon.ctl({"pair"});
        REQUIRE_MESSAGE(pair.exit_code == 0, pair.output);
        const std::string pin = pair.output.substr(0, pair.output.find('\n'));
        CHECK(pin.size() == 6);
        CHECK(pin.find_first_not_of("0123456789") == std::string::npos);
        CHECK(pair.output.find("valid for 2 minutes") != std::string::npos);

        t::LineClient console(daemon.socket);
        const auto redeemed =
            console.call({{"id", 1}, {"cmd", "pair_redeem"}, {"pin", pin}, {"device", "Kiosk"}});
        REQUIRE(redeemed);
        REQUIRE((*redeemed)["ok"] == true);
        token = (*redeemed)["token"];
        device_id = (*redeemed)["device_id"];
        CHECK((*redeemed)["role"] == "runner");

        const auto viewer = daemon.ctl({"pair", "--viewer"});
        REQUIRE(viewer.exit_code == 0);
        CHECK(viewer.output.find("viewer") != std::string::npos);
        const auto list = daemon.ctl({"pair", "--list"});
        CHECK(list.exit_code == 0);
        CHECK(list.output.find(device_id + "  runner  ") == 0);
        CHECK(list.output.find("Kiosk") != std::string::npos);
        const auto unknown = daemon.ctl({"pair", "--revoke", "d-00000000"});
        CHECK(unknown.exit_code == 1);
        CHECK(unknown.output.find("no paired device 'd-00000000' (bad_value)") !=
              std::string::npos);
        CHECK(daemon.ctl({"pair", "--bogus"}).exit_code == 2);
        daemon.child->signal(SIGTERM);
        REQUIRE(daemon.child->wait_exit(15s) == 0);
    }
    LiveDaemon again("1", state);
    t::LineClient console(again.socket);
    const auto checked = console.call({{"id", 1}, {"cmd", "pair_check"}, {"token", token}});
    REQUIRE(checked);
    CHECK((*checked)["device_id"] == device_id);
    CHECK((*checked)["device"] == "Kiosk");
    const auto revoke = again.ctl({"pair", "--revoke", device_id});
    CHECK_MESSAGE(revoke.exit_code == 0, revoke.output);
    CHECK(revoke.output == "pair: revoked " + device_id + "\n");
    const auto after = console.call({{"id", 2}, {"cmd", "pair_check"}, {"token", token}});
    REQUIRE(after);
    CHECK((*after)["error"]["code"] == "refused");
    CHECK(again.ctl({"pair", "--list"}).output == "no paired devices\n");
    std::filesystem::remove_all(state);
}

TEST_CASE("the console's commands on the real daemon: validate, save_program, start it, session") {
    LiveDaemon daemon("20");
    t::LineClient console(daemon.socket);
    const auto call = [&](json request) {
        request["id"] = 1;
        const auto reply = console.call(request, 10s);
        REQUIRE(reply);
        return *reply;
    };
    const json status = call({{"cmd", "status"}})["status"];
    CHECK(status["units"] == "metric");
    CHECK(status["fault"].is_null());

    const json invalid = call({{"cmd", "validate"}, {"yaml", "steps: [\n"}});
    CHECK(invalid["ok"] == true);
    CHECK(invalid["valid"] == false);
    CHECK(call({{"cmd", "validate"}, {"yaml", kShortProgram}})["valid"] == true);

    CHECK(call({{"cmd", "session"}})["session"].is_null());
    const json saved =
        call({{"cmd", "save_program"}, {"program", "live-short"}, {"yaml", kShortProgram}});
    REQUIRE_MESSAGE(saved["ok"] == true, saved.dump());
    CHECK(t::read_file(daemon.dir + "/programs/live-short.yaml") == kShortProgram);
    const json again =
        call({{"cmd", "save_program"}, {"program", "live-short"}, {"yaml", kShortProgram}});
    CHECK(again["error"]["code"] == "refused");
    CHECK(call({{"cmd", "save_program"},
                {"program", "../x"},
                {"yaml", kShortProgram}})["error"]["code"] == "bad_value");

    REQUIRE(call({{"cmd", "start"}, {"program", "live-short"}})["ok"] == true);
    REQUIRE(daemon.wait_until_state("running", 15s));
    REQUIRE(daemon.wait_until_state("idle", 30s));
    const json session = call({{"cmd", "session"}})["session"];
    REQUIRE(session.is_object());
    CHECK(session["program"]["name"] == "ctl live test");
    CHECK(session["laps"].size() == 2);
    CHECK(session["summary"]["ended"] == "completed");
    CHECK(session["summary"]["distance_m"].get<double>() > 0);
}

TEST_CASE("a corrupt pairing file at start: logged, moved aside, no devices, pairing works") {
    const std::string state = t::make_temp_dir();
    std::ofstream(state + "/pairing.json") << "{\"version\":1,\"devices\":[{\"device_id\":";
    LiveDaemon daemon("1", state);
    const std::string log = t::read_file(daemon.log);
    CHECK_MESSAGE(log.find("pairing file " + state +
                           "/pairing.json is unusable (not valid JSON); "
                           "moved to " +
                           state + "/pairing.json.corrupt") != std::string::npos,
                  log);
    CHECK(t::read_file(state + "/pairing.json.corrupt").find("device_id") != std::string::npos);
    CHECK(daemon.ctl({"pair", "--list"}).output == "no paired devices\n");
    const auto pair = daemon.ctl({"pair"});
    REQUIRE(pair.exit_code == 0);
    t::LineClient console(daemon.socket);
    const auto redeemed =
        console.call({{"id", 1}, {"cmd", "pair_redeem"}, {"pin", pair.output.substr(0, 6)}});
    REQUIRE(redeemed);
    CHECK((*redeemed)["ok"] == true);
    struct stat st {};
    REQUIRE(::stat((state + "/pairing.json").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    std::filesystem::remove_all(state);
}
