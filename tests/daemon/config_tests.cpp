// The config loader: defaults, units, and every error located file:line:col.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "controller/daemon/config_loader.hpp"
#include "tests/support/test_support.hpp"

using namespace std::chrono_literals;
namespace d = treadmill::daemon;

namespace {

std::vector<std::string> messages(const d::ConfigLoad& load) {
    std::vector<std::string> out;
    for (const auto& diagnostic : load.diagnostics) out.push_back(diagnostic.to_string());
    return out;
}

bool has_message(const d::ConfigLoad& load, const std::string& text) {
    for (const auto& m : messages(load))
        if (m.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("an empty config is all defaults: the embedded simulator") {
    const auto load = d::parse_config("", "t.yaml");
    REQUIRE(load.ok());
    const auto& c = load.config;
    CHECK(c.simulated());
    CHECK(c.bus.baud == 19200);
    CHECK(c.bus.parity == 'E');
    CHECK(c.bus.response_timeout == 50ms);
    CHECK(c.motor.unit == 1);
    CHECK(c.incline.unit == 2);
    CHECK(c.motor.max_frequency_hz == 60);
    CHECK(c.limits.max_speed_kmh == 20);
    CHECK(c.limits.estop_decel_kmh_per_s == 3.5);
    CHECK(c.limits.incline_rate_pct_per_s == doctest::Approx(0.6));
    CHECK(c.control.period == 100ms);
    CHECK(c.control.max_pause == 5min);
    CHECK(c.control.watchdog == 1s);
    CHECK(c.api.socket == "/run/treadmilld/control.sock");
    CHECK(c.program_dirs == std::vector<std::string>{"/etc/treadmilld/programs"});
    CHECK(c.history_database == "/var/lib/treadmilld/history.db");
    CHECK(c.program_user_dir == "/var/lib/treadmilld/programs");
    CHECK(c.pairing.file == "/var/lib/treadmilld/pairing.json");
}

TEST_CASE("every key of the documented config is read, with units converted") {
    const auto load = d::parse_config(R"(
bus: {transport: rtu, device: /dev/treadmill-rs485, baud: 9600, parity: none, stop_bits: 2,
      response_timeout: 0.04 s}
motor: {unit: 3, max_frequency: 50 Hz, speed_at_max_frequency: 18 km/h, comm_timeout: 400 ms}
incline: {unit: 4, comm_timeout: 600 ms, bus: {transport: tcp, host: 10.0.0.5, port: 1502}}
limits: {min_speed: 1 km/h, max_speed: 16 km/h, min_incline: -2 %, max_incline: 12%,
         accel: 0.8 km/h/s, decel: 1.2 km/h/s, estop_decel: 3 km/h/s, incline_rate: 0.5 %/s,
         speed_step: 0.2 km/h}
control: {period: 150 ms, countdown: 5 s, max_pause: 2 min, comm_loss_failures: 2, watchdog: 2 s}
api: {socket: /tmp/x.sock, group: gym, idle_timeout: 90 s}
programs: {dirs: [/a, /b], user_dir: /u}
pairing: {file: /pair.json}
profile: /p.yaml
history: {database: /h.db}
)",
                                      "t.yaml");
    REQUIRE_MESSAGE(load.ok(), messages(load).front());
    const auto& c = load.config;
    CHECK(c.bus.transport == d::BusConfig::Transport::rtu);
    CHECK(c.bus.parity == 'N');
    CHECK(c.bus.stop_bits == 2);
    CHECK(c.bus.response_timeout == 40ms);
    CHECK(c.motor.speed_at_max_frequency_kmh == 18);
    CHECK(c.motor_bus().device == "/dev/treadmill-rs485");
    // A board's own bus starts from the top-level one.
    CHECK(c.incline_bus().transport == d::BusConfig::Transport::tcp);
    CHECK(c.incline_bus().port == 1502);
    CHECK(c.incline_bus().baud == 9600);
    CHECK(c.limits.min_incline_pct == -2);
    CHECK(c.limits.max_incline_pct == 12);
    CHECK(c.control.comm_loss_failures == 2);
    CHECK(c.motor.comm_timeout == 400ms);
    CHECK(c.api.idle_timeout == 90s);
    CHECK(c.program_dirs == std::vector<std::string>{"/a", "/b"});
    CHECK(c.program_user_dir == "/u");
    CHECK(c.pairing.file == "/pair.json");
    CHECK_FALSE(c.simulated());
}

TEST_CASE("an unknown key is an error at its line:col, with a suggestion") {
    const auto load = d::parse_config("limits:\n  max_sped: 12 km/h\n", "t.yaml");
    CHECK_FALSE(load.ok());
    CHECK(messages(load) ==
          std::vector<std::string>{
              "t.yaml:2:3: error: unknown key 'limits.max_sped'; did you mean 'max_speed'?"});
    const auto top = d::parse_config("contrl: {period: 1 s}\n", "t.yaml");
    CHECK(has_message(top, "t.yaml:1:1: error: unknown key 'contrl'; did you mean 'control'?"));
    const auto far = d::parse_config("zzzzzz: 1\n", "t.yaml");
    CHECK(messages(far) == std::vector<std::string>{"t.yaml:1:1: error: unknown key 'zzzzzz'"});
}

TEST_CASE("a TCP host must be numeric: a name would be resolved on the loop at each re-open") {
    const auto named =
        d::parse_config("bus: {transport: tcp, host: plc.local, port: 502}\n", "t.yaml");
    CHECK_FALSE(named.ok());
    CHECK(has_message(named, "t.yaml:1:29: error: bus.host must be a numeric IP address"));
    CHECK(has_message(named, "not 'plc.local'"));
    const auto board =
        d::parse_config("motor: {bus: {transport: tcp, host: localhost}}\n", "t.yaml");
    CHECK(has_message(board, "error: motor.bus.host must be a numeric IP address"));
    for (const std::string host : {"192.168.1.50", "10.0.0.5", "::1", "fe80::1"}) {
        const auto ok = d::parse_config("bus: {transport: tcp, host: '" + host + "'}\n", "t.yaml");
        CHECK_MESSAGE(ok.ok(), host);
        CHECK(ok.config.bus.host == host);
    }
}

TEST_CASE("every error is listed, each located") {
    const auto load = d::parse_config(R"(bus:
  transport: can
  baud: fast
  parity: mark
motor:
  max_frequency: 60
  comm_timeout: 500 km/h
limits:
  max_speed: 20 km
  max_speed: 19 km/h
control:
  period: -5 ms
  comm_loss_failures: 0
)",
                                      "t.yaml");
    CHECK_FALSE(load.ok());
    const auto m = messages(load);
    CHECK(has_message(load, "t.yaml:2:14: error: 'can' is not one of: sim, rtu, tcp"));
    CHECK(has_message(load, "t.yaml:3:9: error: expected an integer, got 'fast'"));
    CHECK(has_message(load, "t.yaml:4:11: error: 'mark' is not one of: none, even, odd"));
    CHECK(has_message(load,
                      "t.yaml:6:18: error: expected a frequency like '60 Hz'; a bare "
                      "number needs a unit"));
    CHECK(has_message(load, "t.yaml:7:17: error: expected a time like"));
    CHECK(has_message(load, "got '500 km/h'"));
    CHECK(has_message(load, "t.yaml:9:14: error: expected a speed like '12 km/h'"));
    CHECK(has_message(load, "t.yaml:10:3: error: duplicate key 'max_speed'"));
    CHECK(has_message(load, "t.yaml:12:11: error: expected a time like"));
    CHECK(has_message(load, "t.yaml:13:23: error: value 0 out of range 1..100"));
    CHECK(m.size() == 9);
}

TEST_CASE("YAML syntax errors and wrong shapes are located 1-based") {
    const auto syntax = d::parse_config("bus: {transport: sim\n", "t.yaml");
    CHECK_FALSE(syntax.ok());
    REQUIRE(syntax.diagnostics.size() == 1);
    CHECK(syntax.diagnostics[0].line >= 1);
    CHECK(syntax.diagnostics[0].column >= 1);
    CHECK(has_message(d::parse_config("- a\n", "t.yaml"), "t.yaml:1:1: error: expected a mapping"));
    CHECK(has_message(d::parse_config("limits: 3\n", "t.yaml"),
                      "t.yaml:1:9: error: 'limits' must be a mapping"));
    CHECK(has_message(d::parse_config("programs: {dirs: /x}\n", "t.yaml"),
                      "t.yaml:1:18: error: expected a list of strings"));
}

TEST_CASE("inconsistent limits are errors") {
    CHECK(has_message(d::parse_config("limits: {min_speed: 5 km/h, max_speed: 4 km/h}\n", "t"),
                      "min_speed must be above 0 and below max_speed"));
    CHECK(has_message(d::parse_config("limits: {max_speed: 25 km/h}\n", "t"),
                      "max_speed is above motor.speed_at_max_frequency"));
    CHECK(has_message(d::parse_config("control: {watchdog: 50 ms}\n", "t"),
                      "t:1:21: error: control.watchdog must be longer than control.period"));
    CHECK(has_message(d::parse_config("api: {idle_timeout: 500 ms}\n", "t"),
                      "api.idle_timeout must be at least 1 s"));
    CHECK(has_message(d::parse_config("motor: {bus: {transport: rtu}}\n", "t"),
                      "transport 'sim' cannot be mixed with real hardware"));
}

TEST_CASE("files: absent default means defaults, absent explicit is an error, env warnings") {
    const std::string dir = treadmill::testing::make_temp_dir();
    const auto absent_default = d::load_config(dir + "/none.yaml", false);
    CHECK(absent_default.ok());
    CHECK(absent_default.config.simulated());
    const auto absent_explicit = d::load_config(dir + "/none.yaml", true);
    CHECK(has_message(absent_explicit, dir + "/none.yaml: error: cannot read the file"));

    const std::string file = dir + "/c.yaml";
    std::ofstream(file) << "api: {group: no-such-group-xyz}\nprofile: " << dir << "/p.yaml\n";
    const auto load = d::load_config(file, true);
    CHECK(load.ok());
    CHECK(has_message(load, "warning: api.group 'no-such-group-xyz' does not exist"));
    CHECK(has_message(load, "warning: profile '" + dir + "/p.yaml' is absent"));
}

TEST_CASE("the shipped systemd/treadmilld.yaml loads and says the defaults") {
    const std::string text = treadmill::testing::read_file(TREADMILL_DEFAULT_CONFIG);
    REQUIRE_FALSE(text.empty());
    const auto load = d::parse_config(text, "treadmilld.yaml");
    REQUIRE_MESSAGE(load.ok(), (load.ok() ? "" : messages(load).front()));
    const d::Config defaults;
    const auto& c = load.config;
    CHECK(c.simulated());
    CHECK(c.bus.response_timeout == defaults.bus.response_timeout);
    CHECK(c.limits.max_speed_kmh == defaults.limits.max_speed_kmh);
    CHECK(c.limits.incline_rate_pct_per_s ==
          doctest::Approx(defaults.limits.incline_rate_pct_per_s));
    CHECK(c.control.max_pause == defaults.control.max_pause);
    CHECK(c.api.socket == defaults.api.socket);
    CHECK(c.api.idle_timeout == defaults.api.idle_timeout);
    CHECK(c.program_dirs == defaults.program_dirs);
    CHECK(c.program_user_dir == defaults.program_user_dir);
    CHECK(c.pairing.file == defaults.pairing.file);
    CHECK(c.profile == defaults.profile);
    CHECK(c.profile_fallback == defaults.profile_fallback);  // it names none: the old one read
    CHECK(c.history_database == defaults.history_database);
    CHECK_FALSE(c.motor.bus.has_value());
}

namespace {

// The value of the first line "KEY…" of `text` (KEY includes its separator), or "".
std::string line_value(const std::string& text, const std::string& key) {
    const std::string prefix = "\n" + key;
    const auto at = ("\n" + text).find(prefix);
    if (at == std::string::npos) return {};
    const auto begin = at + key.size();
    return text.substr(begin, text.find('\n', begin) - begin);
}

}  // namespace

TEST_CASE("the shipped config opens the remote socket where the packaged bridge looks for it") {
    const auto load =
        d::parse_config(treadmill::testing::read_file(TREADMILL_DEFAULT_CONFIG), "treadmilld.yaml");
    REQUIRE(load.ok());
    const auto& api = load.config.api;
    CHECK(api.remote_socket == "/run/treadmilld/remote.sock");
    CHECK(api.remote_group == "treadmill-remote");
    CHECK_FALSE(api.remote_adjust);
    // The bridge's shipped config names that socket, its unit joins that group, and the socket
    // lies in the daemon's RuntimeDirectory=.
    CHECK(line_value(treadmill::testing::read_file(TREADMILL_MQTT_CONFIG), "socket: ") ==
          api.remote_socket);
    CHECK(line_value(treadmill::testing::read_file(TREADMILL_MQTT_UNIT_TEMPLATE),
                     "SupplementaryGroups=") == api.remote_group);
    const std::string runtime =
        line_value(treadmill::testing::read_file(TREADMILL_UNIT_TEMPLATE), "RuntimeDirectory=");
    REQUIRE_FALSE(runtime.empty());
    CHECK(std::filesystem::path(api.remote_socket).parent_path() == "/run/" + runtime);
    CHECK(std::filesystem::path(api.socket).parent_path() == "/run/" + runtime);
}

namespace {

// /var/lib/ + the first directory of the unit's StateDirectory= line.
std::string unit_state_directory() {
    const std::string unit = treadmill::testing::read_file(TREADMILL_UNIT_TEMPLATE);
    const auto at = unit.find("\nStateDirectory=");
    if (at == std::string::npos) return {};
    const auto begin = at + std::string("\nStateDirectory=").size();
    return "/var/lib/" + unit.substr(begin, unit.find_first_of(" \n", begin) - begin);
}

}  // namespace

TEST_CASE("the default profile is in the unit's StateDirectory, where the service may write") {
    const d::Config defaults;
    const std::string state = unit_state_directory();
    REQUIRE(state == "/var/lib/treadmilld");
    CHECK(defaults.profile == state + "/profile.yaml");
    CHECK(defaults.history_database == state + "/history.db");
    // While it is absent, the old default is read; a profile the config names is the only one.
    CHECK(defaults.profile_fallback == "/etc/treadmilld/profile.yaml");
    CHECK(d::parse_config("", "t.yaml").config.profile_fallback == defaults.profile_fallback);
    const auto named = d::parse_config("profile: /home/ann/p.yaml\n", "t.yaml");
    REQUIRE(named.ok());
    CHECK(named.config.profile == "/home/ann/p.yaml");
    CHECK(named.config.profile_fallback.empty());
    CHECK(named.config.profile_location().to_read() == "/home/ann/p.yaml");
}

TEST_CASE("the old default profile is read until the new one exists, and the start says so") {
    const std::string dir = treadmill::testing::make_temp_dir();
    d::Config c;
    c.profile = dir + "/state/profile.yaml";
    c.profile_fallback = dir + "/etc/profile.yaml";
    std::filesystem::create_directories(dir + "/state");
    std::filesystem::create_directories(dir + "/etc");
    // Neither: the new path (absent: no profile), and the absent one is named.
    CHECK(c.profile_location().to_read() == c.profile);
    CHECK_FALSE(c.profile_location().reads_fallback());
    treadmill::programs::Diagnostics none;
    d::check_environment(c, "c.yaml", none);
    CHECK(std::any_of(none.begin(), none.end(), [&](const auto& x) {
        return x.to_string().find("profile '" + c.profile + "' is absent") != std::string::npos;
    }));
    // Only the old one: read, with a warning naming both files.
    std::ofstream(c.profile_fallback) << "schema: treadmill-profile/1\n";
    CHECK(c.profile_location().to_read() == c.profile_fallback);
    CHECK(c.profile_location().reads_fallback());
    treadmill::programs::Diagnostics old;
    d::check_environment(c, "c.yaml", old);
    CHECK(std::any_of(old.begin(), old.end(), [&](const auto& x) {
        const std::string m = x.to_string();
        return m.find("reading '" + c.profile_fallback + "' (the old default)") !=
                   std::string::npos &&
               m.find(c.profile) != std::string::npos;
    }));
    // Once the new one is written, it alone is read.
    std::ofstream(c.profile) << "schema: treadmill-profile/1\n";
    CHECK(c.profile_location().to_read() == c.profile);
    CHECK_FALSE(c.profile_location().reads_fallback());
    std::filesystem::remove_all(dir);
}

TEST_CASE("S2's bound at load: the defaults on RTU fit; a slow bus or a long time-out is refused") {
    const auto rtu = d::parse_config("bus: {transport: rtu}\n", "t.yaml");
    CHECK_MESSAGE(rtu.ok(), (rtu.ok() ? "" : messages(rtu).front()));
    // 40.1 ms of reads + 50 ms < 100 ms; (3 - 1) x 100 ms + 50 ms + 14.0 ms < 500 ms.
    CHECK(d::parse_config("bus: {transport: rtu, stop_bits: 2}\n", "t.yaml").ok());
    CHECK(d::parse_config("bus: {transport: tcp, host: 10.0.0.5}\n", "t.yaml").ok());

    const auto slow =
        d::parse_config("bus: {transport: rtu, baud: 9600, stop_bits: 2}\n", "t.yaml");
    CHECK(messages(slow) ==
          std::vector<std::string>{
              "t.yaml:1:29: error: bus (rtu 9600 8E2): the reads of a cycle take 87.5 ms on the "
              "wire (drive 42.5 ms + incline board 45 ms) + response_timeout 50 ms = 137.5 ms > "
              "control.period 100 ms: a dead bus would make every cycle late and comm_loss could "
              "miss its 0.5 s bound; raise the baud rate, shorten response_timeout or lengthen "
              "control.period"});

    const auto late = d::parse_config("bus:\n  transport: rtu\n  response_timeout: 200 ms\n", "t");
    CHECK(has_message(late,
                      "t:3:21: error: bus (rtu 19200 8E1): the reads of a cycle take 40.1 ms on "
                      "the wire (drive 19.5 ms + incline board 20.6 ms) + response_timeout 200 ms "
                      "= 240.1 ms > control.period 100 ms"));
    const auto tcp = d::parse_config("bus: {transport: tcp, response_timeout: 120 ms}\n", "t");
    CHECK(has_message(tcp,
                      "bus (tcp): the reads of a cycle take 0 ms on the wire (drive 0 ms + "
                      "incline board 0 ms) + response_timeout 120 ms = 120 ms > "
                      "control.period 100 ms"));
    // Boards on buses of their own: one time-out per bus.
    const auto apart = d::parse_config(
        "bus: {transport: rtu, response_timeout: 30 ms}\n"
        "incline: {bus: {device: /dev/ttyUSB1, response_timeout: 60 ms}}\n",
        "t");
    CHECK(has_message(apart,
                      "bus (rtu 19200 8E1): the reads of a cycle take 19.5 ms on the wire (drive "
                      "19.5 ms) + response_timeout 30 ms; incline.bus (rtu 19200 8E1): the reads "
                      "of a cycle take 20.6 ms on the wire (incline board 20.6 ms) + "
                      "response_timeout 60 ms; in all 130.1 ms > control.period 100 ms"));
}

TEST_CASE("S2's bound at load: failures a period apart plus a time-out must fit in 0.5 s") {
    const auto slow = d::parse_config(
        "bus: {transport: rtu}\ncontrol: {period: 250 ms, watchdog: 2 s}\n"
        "motor: {comm_timeout: 600 ms}\nincline: {comm_timeout: 600 ms}\n",
        "t");
    CHECK(messages(slow) ==
          std::vector<std::string>{
              "t:2:19: error: bus (rtu 19200 8E1): (comm_loss_failures 3 - 1) x control.period "
              "250 ms + response_timeout 50 ms + late-reply guard 14.0 ms = 564.0 ms > 500 ms: "
              "comm_loss could not latch within 0.5 s of the bus dying; shorten control.period "
              "or response_timeout, or lower comm_loss_failures"});
    const auto many =
        d::parse_config("bus: {transport: rtu}\ncontrol: {comm_loss_failures: 6}\n", "t");
    CHECK(has_message(many,
                      "t:2:31: error: bus (rtu 19200 8E1): (comm_loss_failures 6 - 1) x "
                      "control.period 100 ms + response_timeout 50 ms + late-reply guard 14.0 ms "
                      "= 564.0 ms > 500 ms"));
    CHECK(d::parse_config("bus: {transport: rtu}\ncontrol: {comm_loss_failures: 5}\n", "t").ok());
}

TEST_CASE("comm_timeout rounds up to the boards' 0.1 s and stays between polls and the watchdog") {
    const auto rounded =
        d::parse_config("motor: {comm_timeout: 420 ms}\nincline: {comm_timeout: 0.25 s}\n", "t");
    REQUIRE_MESSAGE(rounded.ok(), (rounded.ok() ? "" : messages(rounded).front()));
    CHECK(rounded.config.motor.comm_timeout == 500ms);
    CHECK(rounded.config.incline.comm_timeout == 300ms);

    // 40 ms once rounded to 0 (the dead-man off); now it rounds up, and is still too short.
    const auto off = d::parse_config("motor: {comm_timeout: 40 ms}\n", "t");
    CHECK(messages(off) ==
          std::vector<std::string>{
              "t:1:23: error: motor.comm_timeout 40 ms, rounded up to the board's 0.1 s unit: "
              "100 ms, is below max(2 x control.period 100 ms + response_timeout 50 ms, 200 ms) "
              "= 250 ms: the board's dead-man would stop the belt while the daemon is alive"});
    CHECK(has_message(d::parse_config("incline: {comm_timeout: 0 s}\n", "t"),
                      "t:1:25: error: incline.comm_timeout 0 ms is below max(2 x "
                      "control.period 100 ms + response_timeout 50 ms, 200 ms) = 250 ms"));
    const auto fast =
        d::parse_config("control: {period: 50 ms}\nmotor: {comm_timeout: 150 ms}\n", "t");
    REQUIRE_MESSAGE(fast.ok(), (fast.ok() ? "" : messages(fast).front()));
    CHECK(fast.config.motor.comm_timeout == 200ms);  // max(2 x 50 ms + 50 ms, 200 ms) = 200 ms
    CHECK(has_message(d::parse_config("motor: {comm_timeout: 950 ms}\n", "t"),
                      "t:1:23: error: motor.comm_timeout 950 ms, rounded up to the board's 0.1 s "
                      "unit: 1000 ms, is above control.watchdog 1000 ms - 100 ms = 900 ms: the "
                      "board must stop the belt by itself before the watchdog aborts the daemon"));
    const auto longer = d::parse_config(
        "control: {watchdog: 2 s}\nmotor: {comm_timeout: 1.9 s}\nincline: {comm_timeout: 2 s}\n",
        "t");
    CHECK(messages(longer) ==
          std::vector<std::string>{"t:3:25: error: incline.comm_timeout 2000 ms is above "
                                   "control.watchdog 2000 ms - 100 ms = 1900 ms: the board must "
                                   "stop the belt by itself before the watchdog aborts the "
                                   "daemon"});
}

TEST_CASE("a config that is not valid UTF-8 is refused at its first bad byte") {
    const auto load = d::parse_config(
        "control: {period: 100 ms}\napi: {group: tr\xe9"
        "admill}\n",
        "t.yaml");
    CHECK_FALSE(load.ok());
    REQUIRE(load.diagnostics.size() == 1);
    CHECK(load.diagnostics[0].to_string() ==
          "t.yaml:2:16: error: invalid UTF-8 (byte 0xE9); save the file as UTF-8");
}
