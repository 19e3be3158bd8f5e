// treadmill-mqtt's pure parts: topics and names from the prefix, the payloads built from a
// status, the telemetry cadence, events, Home Assistant discovery, the command policy and the
// configuration.
#include <doctest/doctest.h>

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "mqtt/bridge_config.hpp"
#include "mqtt/command_policy.hpp"
#include "mqtt/payloads.hpp"
#include "mqtt/topics.hpp"

using namespace treadmill::mqtt;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

json running_status() {
    return json::parse(R"({
      "state": "running", "reason": null, "key_present": true,
      "fault": null, "program": {"id": "easy-run", "name": "Easy run", "seeds": null},
      "step": {"index": 1, "count": 3, "class": "run", "cue": "go", "rep": null, "reps": null,
               "remaining_s": 12.3, "remaining_m": 40.1},
      "elapsed_s": 61.4, "distance_m": 150.26, "pace_s_per_km": 450.4,
      "speed": {"program_kmh": 8.0, "target_kmh": 8.0, "actual_kmh": 7.996},
      "incline": {"program_pct": 1.0, "target_pct": 1.0, "actual_pct": 0.97}})");
}

CommandMessage message(std::string name, std::string payload = "", std::string state = "running") {
    CommandMessage m;
    m.name = std::move(name);
    m.payload = std::move(payload);
    m.state = std::move(state);
    return m;
}

}  // namespace

TEST_CASE("topics, client id and object id come from the prefix") {
    const Topics t("treadmill/gym-3");
    CHECK(t.availability() == "treadmill/gym-3/availability");
    CHECK(t.state() == "treadmill/gym-3/state");
    CHECK(t.telemetry() == "treadmill/gym-3/telemetry");
    CHECK(t.event() == "treadmill/gym-3/event");
    CHECK(t.result() == "treadmill/gym-3/result");
    CHECK(t.command_filter() == "treadmill/gym-3/cmd/+");
    CHECK(t.command_name("treadmill/gym-3/cmd/stop") == "stop");
    CHECK_FALSE(t.command_name("treadmill/gym-3/cmd/"));
    CHECK_FALSE(t.command_name("treadmill/gym-3/cmd/a/b"));
    CHECK_FALSE(t.command_name("treadmill/gym-4/cmd/stop"));
    CHECK_FALSE(t.command_name("treadmill/gym-3/result"));
    CHECK(default_prefix("box") == "treadmill/box");
    CHECK(client_id_for("treadmill/gym 3") == "treadmill-mqtt-treadmill-gym-3");
    CHECK(object_id_for("treadmill/gym-3") == "treadmill_gym-3");
    CHECK(prefix_error(""));
    CHECK(prefix_error("a/+/b"));
    CHECK(prefix_error("a/#"));
    CHECK(prefix_error("/a"));
    CHECK(prefix_error("a/"));
    CHECK_FALSE(prefix_error("treadmill/gym-3"));
}

TEST_CASE("state and telemetry payloads use the status's names, rounded, nulls kept") {
    const json s = running_status();
    const json state = state_payload(s);
    CHECK(state["state"] == "running");
    CHECK(state["program"] == json({{"id", "easy-run"}, {"name", "Easy run"}}));
    CHECK(state["step"]["index"] == 1);
    CHECK(state["step"]["class"] == "run");
    CHECK_FALSE(state["step"].contains("remaining_s"));  // the retained state stays still
    CHECK(state["fault"].is_null());
    CHECK(state["key_present"] == true);

    json faulted = s;
    faulted["state"] = "fault";
    faulted["fault"] = {{"code", "safety_key"}, {"message", "key out"}, {"since", "x"}};
    CHECK(state_payload(faulted)["fault"] ==
          json({{"code", "safety_key"}, {"message", "key out"}}));

    const json t = telemetry_payload(s);
    CHECK(t["speed_kmh"] == 8.0);
    CHECK(t["incline_pct"] == 1.0);
    CHECK(t["distance_m"] == 150.3);
    CHECK(t["elapsed_s"] == 61);
    CHECK(t["pace_s_per_km"] == 450);
    json idle = s;
    idle["pace_s_per_km"] = nullptr;
    CHECK(telemetry_payload(idle)["pace_s_per_km"].is_null());
    CHECK(telemetry_payload(json::object())["speed_kmh"].is_null());
}

TEST_CASE("telemetry: every second while the belt moves, only on change otherwise") {
    TelemetryGate gate;
    const auto t0 = Clock::time_point{} + 100s;
    const json a = {{"speed_kmh", 8.0}};
    CHECK(gate.should_publish(a, true, t0));
    CHECK_FALSE(gate.should_publish(a, true, t0 + 500ms));
    CHECK(gate.should_publish(a, true, t0 + 1000ms));
    const json stopped = {{"speed_kmh", 0.0}};
    CHECK(gate.should_publish(stopped, false, t0 + 1100ms));  // changed
    CHECK_FALSE(gate.should_publish(stopped, false, t0 + 5s));
    CHECK_FALSE(gate.should_publish(stopped, false, t0 + 60s));
    gate.reset();
    CHECK(gate.should_publish(stopped, false, t0 + 61s));  // after a reconnect
    CHECK(belt_moving(running_status()));
    CHECK_FALSE(belt_moving(json::object()));
}

TEST_CASE("events: session start and end, faults raised and cleared") {
    EventTracker events;
    json s = running_status();
    s["state"] = "idle";
    CHECK(events.update(s).empty());  // the first status is no change
    s["state"] = "countdown";
    auto e = events.update(s);
    REQUIRE(e.size() == 1);
    CHECK(e[0]["event"] == "session_started");
    CHECK(e[0]["program"]["id"] == "easy-run");
    s["state"] = "running";
    CHECK(events.update(s).empty());
    s["state"] = "fault";
    s["fault"] = {{"code", "comm_loss"}, {"message", "motor drive silent"}};
    e = events.update(s);
    REQUIRE(e.size() == 2);
    CHECK(e[0]["event"] == "session_ended");
    CHECK(e[0]["ended"] == "fault");
    CHECK(e[0]["distance_m"] == 150.3);
    CHECK(e[1]["event"] == "fault");
    CHECK(e[1]["fault"]["code"] == "comm_loss");
    CHECK(events.update(s).empty());  // the same fault is not repeated
    s["state"] = "idle";
    s["fault"] = nullptr;
    e = events.update(s);
    REQUIRE(e.size() == 1);
    CHECK(e[0]["event"] == "fault_cleared");
}

TEST_CASE("session_ended with the daemon's summary: completed, fields of the API, rounded") {
    const json ended = {{"event", "session_ended"},
                        {"ended", "stopped"},
                        {"program", {{"id", "x"}, {"name", "X"}}},
                        {"elapsed_s", 40},
                        {"distance_m", 85.2}};
    const json reply = {{"ok", true},
                        {"session",
                         {{"summary",
                           {{"time_s", 40.04},
                            {"distance_m", 85.234},
                            {"avg_pace_s_per_km", 469.6},
                            {"best_pace_s_per_km", nullptr},
                            {"ascent_m", 0.0},
                            {"ended", "completed"}}}}}};
    const json e = with_session_summary(ended, reply);
    CHECK(e["ended"] == "completed");
    CHECK(e["program"]["name"] == "X");
    CHECK(e["summary"]["time_s"] == 40);
    CHECK(e["summary"]["distance_m"] == 85.2);
    CHECK(e["summary"]["avg_pace_s_per_km"] == 470);
    CHECK(e["summary"]["best_pace_s_per_km"].is_null());
    CHECK(e["summary"]["ascent_m"] == 0.0);
    // No summary (the daemon unreachable, or it still runs): the event as the stream made it.
    const json without = with_session_summary(ended, refusal_reply("unavailable", "gone"));
    CHECK(without["ended"] == "stopped");
    CHECK(without["summary"].is_null());
    const json running =
        with_session_summary(ended, {{"ok", true}, {"session", {{"summary", nullptr}}}});
    CHECK(running["ended"] == "stopped");
    CHECK(running["summary"].is_null());
}

TEST_CASE("discovery: unique ids, a device block, availability, a Stop button") {
    const Topics topics("treadmill/gym-3");
    const auto configs = discovery_configs(topics, "gym-3");
    std::set<std::string> ids, paths;
    bool stop_button = false;
    for (const auto& d : configs) {
        CHECK(d.topic.rfind("homeassistant/", 0) == 0);
        CHECK(d.topic.size() > 7);
        CHECK(d.topic.substr(d.topic.size() - 7) == "/config");
        CHECK(ids.insert(d.config["unique_id"].get<std::string>()).second);
        CHECK(paths.insert(d.topic).second);
        CHECK(d.config["device"]["identifiers"][0] == "treadmill_gym-3");
        CHECK(d.config["availability_topic"] == "treadmill/gym-3/availability");
        if (d.topic.find("/button/") != std::string::npos) {
            stop_button = true;
            CHECK(d.config["command_topic"] == "treadmill/gym-3/cmd/stop");
            CHECK(json::parse(d.config["payload_press"].get<std::string>()) ==
                  json({{"cmd", "stop"}}));
        } else {
            CHECK(d.config.contains("state_topic"));
            CHECK(d.config.contains("value_template"));
        }
    }
    CHECK(stop_button);
    CHECK(configs.size() == 11);
    // Two treadmills on one broker never share an id.
    for (const auto& d : discovery_configs(Topics("treadmill/gym-4"), "gym-4")) {
        CHECK(ids.count(d.config["unique_id"].get<std::string>()) == 0);
    }
}

TEST_CASE("belt hours: a duration sensor in h, total_increasing, from the metrics topic") {
    const auto configs = discovery_configs(Topics("treadmill/gym-3"), "gym-3");
    const Discovery* belt = nullptr;
    for (const auto& d : configs)
        if (d.topic == "homeassistant/sensor/treadmill_gym-3/belt_hours/config") belt = &d;
    REQUIRE(belt);
    CHECK(belt->config["unique_id"] == "treadmill_gym-3_belt_hours");
    CHECK(belt->config["state_topic"] == "treadmill/gym-3/metrics");
    CHECK(belt->config["value_template"] == "{{ value_json.belt_hours }}");
    CHECK(belt->config["device_class"] == "duration");
    CHECK(belt->config["unit_of_measurement"] == "h");
    CHECK(belt->config["state_class"] == "total_increasing");
}

TEST_CASE("the metrics payload: the API's counters, belt hours, no maintenance marks") {
    const json reply = json::parse(R"({
      "counters":{"belt_running_s":5400.04,"belt_distance_m":13922.04,"motor_starts":41,
                  "incline_moves":230,"sessions":{"completed":12,"stopped":3,"fault":1},
                  "faults":{"comm_loss":1},"safety_stops":{"comm_loss":1},
                  "modbus_transactions":{"bus":{"ok":90211,"timeout":3,"crc":0,"exception":0,
                                                "other":0}},
                  "starts":9,"unclean_exits":1,
                  "maintenance":{"lubrication":{"belt_running_s":10.0}}},
      "gauges":{"speed_kmh":0.0,"state":"idle"}})");
    const auto p = metrics_payload(reply);
    REQUIRE(p);
    CHECK((*p)["belt_hours"] == 1.5);
    CHECK((*p)["belt_running_s"] == 5400.0);
    CHECK((*p)["belt_distance_m"] == 13922.0);
    CHECK((*p)["motor_starts"] == 41);
    CHECK((*p)["incline_moves"] == 230);
    CHECK((*p)["sessions"]["completed"] == 12);
    CHECK((*p)["faults"]["comm_loss"] == 1);
    CHECK((*p)["safety_stops"]["comm_loss"] == 1);
    CHECK((*p)["modbus_transactions"]["bus"]["timeout"] == 3);
    CHECK((*p)["starts"] == 9);
    CHECK((*p)["unclean_exits"] == 1);
    CHECK_FALSE(p->contains("maintenance"));
    CHECK_FALSE(p->contains("gauges"));
    // A machine that never faulted: empty maps, not missing keys.
    const auto fresh = metrics_payload(json::parse(R"({"counters":{"belt_running_s":0}})"));
    REQUIRE(fresh);
    CHECK((*fresh)["belt_hours"] == 0.0);
    CHECK((*fresh)["faults"] == json::object());
    CHECK_FALSE(metrics_payload(json::parse(R"({"gauges":{}})")));
    CHECK_FALSE(metrics_payload(json()));
}

TEST_CASE("command policy: stop and pause always, never start, resume, reset or estop") {
    CommandPolicy policy(true);
    const auto now = std::chrono::steady_clock::time_point{} + 10s;
    for (const char* state : {"running", "idle", "paused", "fault", ""}) {
        auto d = policy.decide(message("stop", "", state), now);
        CHECK(d.forward);
        CHECK(d.request == json({{"cmd", "stop"}}));
        d = policy.decide(message("pause", R"({"cmd":"pause"})", state), now);
        CHECK(d.forward);
        CHECK(d.request == json({{"cmd", "pause"}}));
    }
    for (const char* name : {"start", "resume", "reset", "estop", "skip", "sim", "save_program",
                             "pair_issue", "calibrate"}) {
        const auto d = policy.decide(message(name, R"({"program":"easy-run"})", "idle"), now);
        CHECK_FALSE(d.forward);
        CHECK(d.code == "refused");
        CHECK_FALSE(d.reason.empty());
    }
    CHECK(policy.decide(message("start"), now).reason.find("standing on it") != std::string::npos);
}

TEST_CASE("command policy: retained, expired and malformed commands are not forwarded") {
    CommandPolicy policy(false);
    const auto now = std::chrono::steady_clock::time_point{} + 10s;
    auto m = message("stop");
    m.retained = true;
    CHECK(policy.decide(m, now).code == "ignored");
    m = message("stop");
    m.expired = true;
    CHECK(policy.decide(m, now).code == "ignored");
    CHECK(policy.decide(message("stop", "not json"), now).code == "bad_request");
    CHECK(policy.decide(message("stop", "[1]"), now).code == "bad_request");
    CHECK(policy.decide(message("stop", R"({"cmd":"start"})"), now).code == "bad_request");
    // A whole command, then a NUL and junk (nlohmann alone would stop at the NUL): refused, not
    // forwarded, with where.
    const auto nul = policy.decide(
        message("stop", std::string(R"({"cmd":"stop"})") + '\0' + R"(,"cmd":"start")"), now);
    CHECK_FALSE(nul.forward);
    CHECK(nul.code == "bad_request");
    CHECK(nul.reason == "the payload is not a JSON object: a NUL byte at column 15 of the payload");
    const auto latin1 = policy.decide(message("stop", "{\"why\":\"H\xfcgel\"}"), now);
    CHECK_FALSE(latin1.forward);
    CHECK(latin1.reason.find("invalid UTF-8 (byte 0xFC) at column 10") != std::string::npos);
    const auto junk = policy.decide(message("stop", R"({"cmd":"stop"} junk)"), now);
    CHECK_FALSE(junk.forward);
    CHECK(junk.reason.find("not valid JSON") != std::string::npos);
    CHECK(junk.reason.find("at column 16") != std::string::npos);
    CHECK(policy.decide(message("stop", "{\"cmd\":\"stop\"}\n"), now).forward);
}

TEST_CASE("command policy: speed and incline only when allowed, in running, 2 a second") {
    const auto t0 = std::chrono::steady_clock::time_point{} + 10s;
    CommandPolicy off(false);
    auto d = off.decide(message("speed", R"({"value":"12 km/h"})"), t0);
    CHECK_FALSE(d.forward);
    CHECK(d.reason.find("allow_adjust") != std::string::npos);

    CommandPolicy on(true);
    d = on.decide(message("speed", R"({"value":"12 km/h"})", "paused"), t0);
    CHECK_FALSE(d.forward);
    CHECK(d.reason.find("only while running") != std::string::npos);
    CHECK(on.decide(message("speed", R"({})"), t0).code == "bad_request");
    CHECK(on.decide(message("speed", R"({"value":12})"), t0).code == "bad_request");
    CHECK(on.decide(message("incline", R"({"delta":"+1%"})"), t0).code == "bad_request");

    d = on.decide(message("speed", R"({"value":"12 km/h"})"), t0);
    REQUIRE(d.forward);
    CHECK(d.request == json({{"cmd", "speed"}, {"value", "12 km/h"}}));
    d = on.decide(message("incline", R"({"value":"6%"})"), t0 + 100ms);
    REQUIRE(d.forward);
    CHECK(d.request == json({{"cmd", "incline"}, {"value", "6%"}}));
    d = on.decide(message("speed", R"({"delta":"+0.5 km/h"})"), t0 + 500ms);
    CHECK_FALSE(d.forward);
    CHECK(d.reason.find("at most 2") != std::string::npos);
    // stop is never rate-limited
    CHECK(on.decide(message("stop"), t0 + 500ms).forward);
    d = on.decide(message("speed", R"({"delta":"+0.5 km/h"})"), t0 + 1000ms);
    REQUIRE(d.forward);
    CHECK(d.request == json({{"cmd", "speed"}, {"delta", "+0.5 km/h"}}));
}

TEST_CASE("configuration: file, flags on top, defaults, clear errors") {
    BridgeConfig c;
    CHECK(parse_broker("broker.lan:8883", c));
    CHECK(c.broker_host == "broker.lan");
    CHECK(c.broker_port == 8883);
    CHECK(parse_broker("[::1]:1884", c));
    CHECK(c.broker_host == "::1");
    CHECK(c.broker_port == 1884);
    CHECK(parse_broker("only-host", c));
    CHECK(c.broker_host == "only-host");
    CHECK_FALSE(parse_broker("h:0", c));
    CHECK_FALSE(parse_broker("h:70000", c));
    CHECK_FALSE(parse_broker("h:12x", c));
    CHECK_FALSE(parse_broker(":1883", c));

    auto cl = parse_command_line({}, "box");
    REQUIRE(cl);
    CHECK(cl->config.prefix == "treadmill/box");
    CHECK(cl->config.client_id == "treadmill-mqtt-treadmill-box");
    CHECK(cl->config.socket == "/run/treadmilld/remote.sock");
    CHECK_FALSE(cl->config.allow_adjust);

    BridgeConfig f;
    REQUIRE(
        apply_config_text("broker: b:1\nname: gym-3\nallow_adjust: true\n"
                          "tls: {ca_file: /ca.pem}\nusername: u\npassword: p\n",
                          "mqtt.yaml", f));
    CHECK(f.name == "gym-3");
    CHECK(f.allow_adjust);
    CHECK(f.tls_ca_file == "/ca.pem");
    CHECK(f.metrics_interval_s == 60);
    REQUIRE(apply_config_text("metrics_interval_s: 2\n", "mqtt.yaml", f));
    CHECK(f.metrics_interval_s == 2);
    CHECK_FALSE(apply_config_text("metrics_interval_s: 0\n", "mqtt.yaml", f));
    CHECK_FALSE(apply_config_text("metrics_interval_s: 86401\n", "mqtt.yaml", f));
    CHECK(f.tls_cert_file.empty());
    BridgeConfig client_cert;
    REQUIRE(apply_config_text("tls: {ca_file: /ca.pem, cert_file: /c.pem, key_file: /c.key}\n",
                              "mqtt.yaml", client_cert));
    CHECK(client_cert.tls_cert_file == "/c.pem");
    CHECK(client_cert.tls_key_file == "/c.key");
    for (const char* bad : {"tls: {ca_file: /ca.pem, cert_file: /c.pem}\n",
                            "tls: {cert_file: /c.pem, key_file: /c.key}\n",
                            "tls: {ca_file: /ca.pem, keyfile: /c.key}\n", "tls: {ca_file: ''}\n"}) {
        BridgeConfig fresh;
        CHECK_MESSAGE(!apply_config_text(bad, "m", fresh), bad);
    }
    const auto unknown = apply_config_text("brokr: x\n", "mqtt.yaml", f);
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error() == "mqtt.yaml: unknown key 'brokr'");
    CHECK_FALSE(apply_config_text("name: a\nname: b\n", "mqtt.yaml", f));
    CHECK_FALSE(apply_config_text("allow_adjust: maybe\n", "mqtt.yaml", f));
    CHECK_FALSE(apply_config_text("- a\n", "mqtt.yaml", f));

    cl = parse_command_line({"--broker", "h:2", "--prefix", "gym/t1", "--socket", "/s"}, "box");
    REQUIRE(cl);
    CHECK(cl->config.broker_port == 2);
    CHECK(cl->config.prefix == "gym/t1");
    CHECK(cl->config.client_id == "treadmill-mqtt-gym-t1");
    CHECK(cl->config.socket == "/s");
    CHECK_FALSE(parse_command_line({"--prefix", "a/#"}, "box"));
    CHECK_FALSE(parse_command_line({"--broker"}, "box"));
    CHECK_FALSE(parse_command_line({"--bogus"}, "box"));
    CHECK_FALSE(parse_command_line({"--config", "/nonexistent/mqtt.yaml"}, "box"));
}

TEST_CASE("configuration: the password from password_file, read at start; clear errors") {
    char dir_template[] = "/tmp/mqtt-unit-XXXXXX";
    REQUIRE(::mkdtemp(dir_template) != nullptr);
    const std::string dir = dir_template;
    const auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir + "/" + name, std::ios::binary) << text;
        return dir + "/" + name;
    };
    const auto with_config = [&](const std::string& text) {
        return parse_command_line({"--config", write("mqtt.yaml", text)}, "box");
    };
    // The first line, without its line end (echo's newline, an editor's CR LF).
    const std::string file = write("password", "s3cret pass\nignored\n");
    auto cl = with_config("username: treadmill\npassword_file: " + file + "\n");
    REQUIRE_MESSAGE(cl, cl.error());
    CHECK(cl->config.username == "treadmill");
    CHECK(cl->config.password == "s3cret pass");
    CHECK(cl->config.password_file == file);
    // Readable by every user (as written here, umask 022): it runs, with a warning for the log.
    REQUIRE(::chmod(file.c_str(), 0644) == 0);
    cl = with_config("username: treadmill\npassword_file: " + file + "\n");
    REQUIRE(cl);
    REQUIRE(cl->warnings.size() == 1);
    CHECK(cl->warnings[0] == "password_file " + file +
                                 " is readable by every user (chmod o-r, or a systemd credential)");
    REQUIRE(::chmod(file.c_str(), 0640) == 0);
    cl = with_config("username: treadmill\npassword_file: " + file + "\n");
    REQUIRE(cl);
    CHECK(cl->warnings.empty());
    cl = with_config("username: u\npassword_file: " + write("crlf", "p\r\n") + "\n");
    REQUIRE(cl);
    CHECK(cl->config.password == "p");

    const auto error_of = [&](const std::string& text) {
        const auto failed = with_config(text);
        REQUIRE_FALSE(failed);
        return failed.error();
    };
    CHECK(error_of("username: u\npassword_file: " + dir + "/missing\n") ==
          "password_file: cannot read " + dir + "/missing: No such file or directory");
    CHECK(error_of("username: u\npassword_file: " + write("empty", "\n") + "\n") ==
          "password_file: " + dir + "/empty is empty (the password is its first line)");
    CHECK(error_of("username: u\npassword: p\npassword_file: " + file + "\n") ==
          "password and password_file: give one of them");
    CHECK(error_of("password_file: " + file + "\n") ==
          "a password needs a username (the broker's user for this bridge)");
    CHECK(error_of("password: p\n") ==
          "a password needs a username (the broker's user for this bridge)");
    CHECK(error_of("password_file: ''\n").find("password_file: expected a path") !=
          std::string::npos);
    CHECK(error_of("username: u\npassword_file: " + write("long", std::string(70000, 'x')) +
                   "\n") == "password_file: " + dir + "/long: longer than 65535 bytes");
    std::filesystem::remove_all(dir);
}
