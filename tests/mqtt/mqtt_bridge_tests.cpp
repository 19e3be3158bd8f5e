// treadmill-mqtt between a real mosquitto (started here on a free loopback port) and a real
// treadmilld on its embedded simulator (sped-up clock), on the daemon's remote socket as in
// production (the test starts workouts on the local one): availability and the last will,
// discovery, telemetry during a workout, stop over MQTT, refusals, a retained stale command,
// the metrics topic and its belt-hours sensor, and the broker killed and restarted mid-workout.
#include <doctest/doctest.h>

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/daemon/line_client.hpp"
#include "tests/mqtt/mqtt_test_client.hpp"
#include "tests/support/test_support.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
namespace t = treadmill::testing;

namespace {

constexpr const char* kLongProgram =
    "schema: treadmill-workout/1\n"
    "name: \"mqtt test\"\n"
    "steps:\n"
    "  - run: 30 min\n"
    "    speed: 8 km/h\n";

// 40 s of running at the daemon's time scale 5: about 8 s of real time.
constexpr const char* kShortProgram =
    "schema: treadmill-workout/1\n"
    "name: \"mqtt short\"\n"
    "steps:\n"
    "  - run: 40 s\n"
    "    speed: 8 km/h\n";

std::string mosquitto_path() {
    return access("/usr/sbin/mosquitto", X_OK) == 0 ? "/usr/sbin/mosquitto" : "mosquitto";
}

json parse(const std::string& text) {
    return json::parse(text, nullptr, false);
}

// A mosquitto of its own on 127.0.0.1:port, no persistence (a restart forgets everything).
struct Broker {
    std::string dir;
    std::uint16_t port;
    std::optional<t::ChildProcess> process;
    int generation = 0;

    Broker(std::string d, std::uint16_t p) : dir(std::move(d)), port(p) { start(); }
    void start() {
        const std::string conf = dir + "/mosquitto.conf";
        std::ofstream(conf) << "listener " << port << " 127.0.0.1\nallow_anonymous true\n"
                            << "persistence false\n";
        process.emplace(std::vector<std::string>{mosquitto_path(), "-c", conf},
                        dir + "/mosquitto." + std::to_string(++generation) + ".log");
    }
    void kill9() {
        process->signal(SIGKILL);
        process->wait_exit(5s);
        process.reset();
    }
};

// A daemon, a broker, a test client and (usually) a bridge. The bridge talks to the daemon's
// remote socket, as in production; the test, like a runner at the treadmill, starts workouts and
// reads the status on the local socket.
struct Rig {
    std::string dir = t::make_temp_dir();
    std::string socket = dir + "/control.sock";        // local: the test's own requests
    std::string remote_socket = dir + "/remote.sock";  // api.remote_socket: the bridge's
    std::string prefix = "treadmill/test-" + std::to_string(getpid());
    Broker broker{dir, t::free_tcp_port()};
    std::optional<t::ChildProcess> daemon;
    std::optional<t::ChildProcess> bridge;
    std::optional<t::MqttTestClient> client;
    int metrics_interval_s = 60;  // the bridge's mqtt.yaml

    // `remote_adjust`: the daemon's api.remote_adjust (speed and incline on the remote socket).
    explicit Rig(bool start_bridge = true, bool remote_adjust = false) {
        const std::string config = dir + "/treadmilld.yaml";
        std::ofstream(config) << "bus: {transport: sim}\n"
                              << "api: {remote_socket: " << remote_socket
                              << ", remote_adjust: " << (remote_adjust ? "true" : "false") << "}\n"
                              << t::state_in(dir) << "programs: {user_dir: " << dir
                              << "/programs}\n";
        daemon.emplace(std::vector<std::string>{TREADMILLD_BIN, "--config", config, "--socket",
                                                socket, "--time-scale", "5"},
                       dir + "/treadmilld.log");
        client.emplace(broker.port, "test-client-" + std::to_string(getpid()));
        REQUIRE_MESSAGE(client->wait_connected(10s), t::read_file(dir + "/mosquitto.1.log"));
        REQUIRE_MESSAGE(wait_state("idle", 15s), t::read_file(dir + "/treadmilld.log"));
        if (start_bridge) start_bridge_process();
    }
    // `port` 0: the rig's broker; `config`: more lines for its --config file.
    void start_bridge_process(std::uint16_t port = 0, const std::string& config = {}) {
        std::ofstream(dir + "/mqtt.yaml") << "metrics_interval_s: " << metrics_interval_s << "\n"
                                          << config;
        bridge.emplace(
            std::vector<std::string>{TREADMILL_MQTT_BIN, "--config", dir + "/mqtt.yaml", "--broker",
                                     "127.0.0.1:" + std::to_string(port ? port : broker.port),
                                     "--prefix", prefix, "--socket", remote_socket},
            dir + "/bridge.log");
    }
    std::string topic(const std::string& leaf) const { return prefix + "/" + leaf; }
    std::string bridge_log() const { return t::read_file(dir + "/bridge.log"); }

    // One request on the local socket, on a connection of its own.
    std::optional<json> call(const json& request) {
        t::LineClient line(socket);
        if (!line.connected()) return std::nullopt;
        return line.call(request, 3s);
    }
    std::optional<json> status() {
        const auto reply = call({{"id", 1}, {"cmd", "status"}});
        if (!reply || !reply->contains("status")) return std::nullopt;
        return (*reply)["status"];
    }
    bool wait_state(const std::string& state, std::chrono::milliseconds timeout) {
        return t::wait_until(
            [&] {
                const auto s = status();
                return s && (*s)["state"] == state;
            },
            timeout);
    }
    void start_workout(const char* program = kLongProgram) {
        const auto reply = call({{"id", 1}, {"cmd", "start"}, {"yaml", program}});
        REQUIRE(reply);
        REQUIRE_MESSAGE((*reply)["ok"] == true, reply->dump());
        REQUIRE(wait_state("running", 20s));
    }
    // The next message on `leaf` whose JSON satisfies `pred`.
    std::optional<json> wait_json(const std::string& leaf,
                                  const std::function<bool(const json&)>& pred,
                                  std::chrono::milliseconds timeout, std::size_t from = 0) {
        const auto m = client->wait_for(
            topic(leaf), [&](const t::MqttMessage& msg) { return pred(parse(msg.payload)); },
            timeout, from);
        if (!m) return std::nullopt;
        return parse(m->payload);
    }
    bool wait_availability(const std::string& value, std::chrono::milliseconds timeout,
                           std::size_t from = 0) {
        return client
            ->wait_for(
                topic("availability"), [&](const t::MqttMessage& m) { return m.payload == value; },
                timeout, from)
            .has_value();
    }
    // The events on …/event from message index `from` on that satisfy `pred`.
    std::vector<json> events(const std::function<bool(const json&)>& pred, std::size_t from = 0) {
        std::vector<json> out;
        const auto all = client->messages();
        for (std::size_t i = from; i < all.size(); ++i) {
            if (all[i].topic != topic("event")) continue;
            const json e = parse(all[i].payload);
            if (pred(e)) out.push_back(e);
        }
        return out;
    }
    // Publishes `payload` on …/cmd/<name> and waits for its result (matched by correlation_id).
    std::optional<json> command(const std::string& name, json payload, int correlation_id,
                                std::chrono::milliseconds timeout = 5s) {
        payload["correlation_id"] = correlation_id;
        const auto from = client->messages().size();
        client->publish(topic("cmd/" + name), payload.dump());
        return wait_json(
            "result",
            [&](const json& r) { return r.value("correlation_id", -1) == correlation_id; }, timeout,
            from);
    }
    std::vector<t::MqttMessage> discovery() {
        std::vector<t::MqttMessage> out;
        const std::string object_id = "treadmill_test-" + std::to_string(getpid());
        for (const auto& m : client->messages()) {
            if (m.topic.rfind("homeassistant/", 0) == 0 &&
                m.topic.find("/" + object_id + "/") != std::string::npos) {
                out.push_back(m);
            }
        }
        return out;
    }
};

}  // namespace

TEST_CASE(
    "availability online, discovery with unique ids, republished on HA online, will on kill -9") {
    Rig rig;
    REQUIRE_MESSAGE(rig.wait_availability("online", 10s), rig.bridge_log());
    REQUIRE(t::wait_until([&] { return rig.discovery().size() >= 11; }, 10s));
    const auto configs = rig.discovery();
    std::set<std::string> unique_ids;
    for (const auto& m : configs) {
        CHECK(m.topic.substr(m.topic.size() - 7) == "/config");
        const json config = parse(m.payload);
        REQUIRE_MESSAGE(config.is_object(), m.payload);
        CHECK(unique_ids.insert(config["unique_id"].get<std::string>()).second);
        CHECK(config["availability_topic"] == rig.topic("availability"));
        CHECK(config["device"]["identifiers"].size() == 1);
    }
    CHECK(unique_ids.size() == 11);
    const auto state = rig.wait_json(
        "state", [](const json& s) { return s["state"] == "idle"; }, 5s);
    CHECK(state);

    // Home Assistant restarts: everything is announced again.
    rig.client->publish("homeassistant/status", "online");
    CHECK(t::wait_until([&] { return rig.discovery().size() >= 22; }, 5s));

    const auto before = rig.client->messages().size();
    rig.bridge->signal(SIGKILL);
    CHECK_MESSAGE(rig.wait_availability("offline", 10s, before), "no last will");
    // The daemon did not notice.
    CHECK(rig.status().value_or(json())["state"] == "idle");
}

TEST_CASE("telemetry at 1 Hz during a workout, events, and stop over MQTT stops the belt") {
    Rig rig;
    REQUIRE_MESSAGE(rig.wait_availability("online", 10s), rig.bridge_log());
    rig.start_workout();
    CHECK(rig.wait_json(
        "event", [](const json& e) { return e["event"] == "session_started"; }, 5s));
    const auto running = rig.wait_json(
        "state", [](const json& s) { return s["state"] == "running"; }, 5s);
    REQUIRE(running);
    CHECK((*running)["program"]["name"] == "mqtt test");
    REQUIRE(rig.wait_json(
        "telemetry",
        [](const json& tm) {
            return tm["speed_kmh"].is_number() && tm["speed_kmh"].get<double>() > 5.0;
        },
        20s));
    const auto count = rig.client->messages(rig.topic("telemetry")).size();
    std::this_thread::sleep_for(4s);
    const auto telemetry = rig.client->messages(rig.topic("telemetry"));
    const auto in_4s = telemetry.size() - count;
    CHECK_MESSAGE(in_4s >= 3, in_4s);  // 1 Hz (a crowded CPU may lose one)
    CHECK_MESSAGE(in_4s <= 6, in_4s);
    const json last = parse(telemetry.back().payload);
    CHECK(last["distance_m"].get<double>() >
          parse(telemetry[count].payload)["distance_m"].get<double>());
    CHECK(last["elapsed_s"].is_number());
    CHECK(last["pace_s_per_km"].is_number());
    CHECK(last["incline_pct"].is_number());

    // stop, with an MQTT 5 response topic and correlation data
    const auto before = rig.client->messages().size();
    rig.client->publish(rig.topic("cmd/stop"), R"({"cmd":"stop"})",
                        {false, std::string("test/replies"), std::string("c-42")});
    const auto reply = rig.client->wait_for(
        "test/replies", [](const auto&) { return true; }, 5s, before);
    REQUIRE_MESSAGE(reply, rig.bridge_log());
    CHECK(parse(reply->payload)["ok"] == true);
    CHECK(parse(reply->payload)["cmd"] == "stop");
    CHECK(reply->correlation_data == "c-42");
    CHECK(rig.wait_state("idle", 20s));
    CHECK(rig.wait_json(
        "event", [](const json& e) { return e["event"] == "session_ended"; }, 5s, before));
    CHECK(rig.wait_json(
        "telemetry", [](const json& tm) { return tm["speed_kmh"] == 0.0; }, 5s, before));
}

TEST_CASE("metrics on connect and every metrics_interval_s, plausible; a belt-hours sensor") {
    Rig rig(false);
    rig.metrics_interval_s = 2;
    rig.start_workout();
    rig.start_bridge_process();
    REQUIRE_MESSAGE(rig.wait_availability("online", 10s), rig.bridge_log());
    const auto is_metrics = [](const json& m) {
        return m.is_object() && m["belt_hours"].is_number();
    };
    // On connect, well before the first interval would be up.
    const auto first = rig.wait_json("metrics", is_metrics, 1500ms);
    REQUIRE_MESSAGE(first, rig.bridge_log());
    const json m = *first;
    INFO(m.dump());
    CHECK(m["starts"].get<int>() >= 1);
    CHECK(m["unclean_exits"].get<int>() >= 0);
    CHECK(m["motor_starts"].get<int>() >= 1);
    CHECK(m["incline_moves"].get<int>() >= 0);
    CHECK(m["sessions"].is_object());
    CHECK(m["faults"].is_object());
    CHECK(m["safety_stops"].is_object());
    CHECK_FALSE(m.contains("maintenance"));
    long modbus_ok = 0;
    for (const auto& [board, by_result] : m["modbus_transactions"].items()) {
        CHECK((board == "motor" || board == "incline" || board == "bus"));
        modbus_ok += by_result.value("ok", 0L);
    }
    CHECK(modbus_ok > 0);
    CHECK(m["belt_running_s"].get<double>() >= 0.0);
    CHECK(m["belt_hours"].get<double>() ==
          doctest::Approx(m["belt_running_s"].get<double>() / 3600.0).epsilon(0.001));

    // Every 2 s after that, retained, the belt's time and distance growing at the set speed.
    const std::size_t from = rig.client->messages().size();
    const auto later = rig.wait_json(
        "metrics",
        [&](const json& n) {
            return is_metrics(n) &&
                   n["belt_running_s"].get<double>() > m["belt_running_s"].get<double>() + 1.0;
        },
        10s, from);
    REQUIRE_MESSAGE(later, rig.bridge_log());
    const double seconds =
        (*later)["belt_running_s"].get<double>() - m["belt_running_s"].get<double>();
    const double metres =
        (*later)["belt_distance_m"].get<double>() - m["belt_distance_m"].get<double>();
    CHECK(metres / seconds > 0.5);  // 8 km/h is 2.2 m/s; the ramp-up is slower
    CHECK(metres / seconds < 2.5);
    const auto count = rig.client->messages(rig.topic("metrics")).size();
    std::this_thread::sleep_for(6500ms);
    const auto in_6s = rig.client->messages(rig.topic("metrics")).size() - count;
    CHECK_MESSAGE(in_6s >= 2, in_6s);
    CHECK_MESSAGE(in_6s <= 5, in_6s);
    // Retained: a subscriber that comes later gets the last one at once.
    t::MqttTestClient late(rig.broker.port, "late-client-" + std::to_string(getpid()));
    REQUIRE(late.wait_connected(10s));
    CHECK(late.wait_for(
        rig.topic("metrics"), [](const t::MqttMessage& msg) { return msg.retained; }, 5s));

    // Home Assistant's belt-hours sensor reads that topic.
    const std::string object_id = "treadmill_test-" + std::to_string(getpid());
    std::optional<json> belt;
    for (const auto& d : rig.discovery()) {
        if (d.topic == "homeassistant/sensor/" + object_id + "/belt_hours/config")
            belt = parse(d.payload);
    }
    REQUIRE(belt);
    REQUIRE(belt->is_object());
    CHECK((*belt)["unique_id"] == object_id + "_belt_hours");
    CHECK((*belt)["state_topic"] == rig.topic("metrics"));
    CHECK((*belt)["device_class"] == "duration");
    CHECK((*belt)["unit_of_measurement"] == "h");
    CHECK((*belt)["state_class"] == "total_increasing");
    CHECK((*belt)["value_template"] == "{{ value_json.belt_hours }}");
    CHECK((*belt)["availability_topic"] == rig.topic("availability"));
    CHECK((*belt)["device"]["identifiers"][0] == object_id);
}

TEST_CASE("pause over MQTT pauses the belt; resume over MQTT is refused") {
    Rig rig;
    REQUIRE_MESSAGE(rig.wait_availability("online", 10s), rig.bridge_log());
    rig.start_workout();
    const auto paused = rig.command("pause", json::object(), 1);
    REQUIRE_MESSAGE(paused, rig.bridge_log());
    CHECK((*paused)["ok"] == true);
    CHECK((*paused)["cmd"] == "pause");
    CHECK(rig.wait_state("paused", 20s));
    CHECK(rig.wait_json(
        "state", [](const json& s) { return s["state"] == "paused"; }, 5s));
    CHECK(t::wait_until(
        [&] {
            const auto s = rig.status();
            return s && (*s)["speed"]["actual_kmh"].get<double>() < 0.05;
        },
        20s));
    const auto resumed = rig.command("resume", json::object(), 2);
    REQUIRE(resumed);
    CHECK((*resumed)["ok"] == false);
    std::this_thread::sleep_for(1s);
    CHECK(rig.status().value_or(json())["state"] == "paused");
}

TEST_CASE("speed and incline over MQTT with allow_adjust: only running, at most 2 a second") {
    Rig rig(false, true);  // the daemon's api.remote_adjust too
    rig.start_bridge_process(0, "allow_adjust: true\n");
    REQUIRE_MESSAGE(rig.wait_availability("online", 10s), rig.bridge_log());
    REQUIRE(rig.wait_json(
        "state", [](const json& s) { return s["state"] == "idle"; }, 5s));
    // Not running: refused by the bridge, with the reason.
    const auto idle = rig.command("speed", {{"value", "9 km/h"}}, 1);
    REQUIRE_MESSAGE(idle, rig.bridge_log());
    CHECK((*idle)["ok"] == false);
    CHECK((*idle)["error"]["message"].get<std::string>().find("only while running") !=
          std::string::npos);

    rig.start_workout();
    REQUIRE(rig.wait_json(
        "state", [](const json& s) { return s["state"] == "running"; }, 5s));
    std::this_thread::sleep_for(1100ms);  // the refusal above counts nothing, but be sure
    // Three within a second: two pass, the third is refused with the reason.
    const auto from = rig.client->messages().size();
    for (int i = 0; i < 3; ++i) {
        const json body = {{"value", i == 0   ? "9 km/h"
                                     : i == 1 ? "10 km/h"
                                              : "11 km/h"},
                           {"correlation_id", 10 + i}};
        rig.client->publish(rig.topic("cmd/speed"), body.dump());
    }
    std::vector<json> results;
    for (int i = 0; i < 3; ++i) {
        const auto r = rig.wait_json(
            "result", [&](const json& j) { return j.value("correlation_id", -1) == 10 + i; }, 5s,
            from);
        REQUIRE_MESSAGE(r, rig.bridge_log());
        results.push_back(*r);
    }
    CHECK_MESSAGE(results[0]["ok"] == true, results[0].dump());
    CHECK_MESSAGE(results[1]["ok"] == true, results[1].dump());
    CHECK(results[2]["ok"] == false);
    CHECK(results[2]["error"]["code"] == "refused");
    CHECK(results[2]["error"]["message"].get<std::string>().find("at most 2") != std::string::npos);
    CHECK(t::wait_until(
        [&] {
            const auto s = rig.status();
            return s && (*s)["speed"]["target_kmh"].get<double>() == 10.0;
        },
        10s));

    std::this_thread::sleep_for(1100ms);
    const auto incline = rig.command("incline", {{"value", "2%"}}, 20);
    REQUIRE(incline);
    CHECK_MESSAGE((*incline)["ok"] == true, incline->dump());
    CHECK(t::wait_until(
        [&] {
            const auto s = rig.status();
            return s && (*s)["incline"]["target_pct"].get<double>() == 2.0;
        },
        10s));
    CHECK(rig.status().value_or(json())["state"] == "running");
}

TEST_CASE(
    "allow_adjust in the bridge but not api.remote_adjust in the daemon: the daemon refuses") {
    Rig rig(false);
    rig.start_bridge_process(0, "allow_adjust: true\n");
    REQUIRE_MESSAGE(rig.wait_availability("online", 10s), rig.bridge_log());
    rig.start_workout();
    REQUIRE(rig.wait_json(
        "state", [](const json& s) { return s["state"] == "running"; }, 5s));
    for (const char* name : {"speed", "incline"}) {
        std::this_thread::sleep_for(600ms);  // below the bridge's 2 a second
        const bool speed = std::string(name) == "speed";
        const auto r = rig.command(name, {{"value", speed ? "10 km/h" : "2%"}}, speed ? 1 : 2);
        REQUIRE_MESSAGE(r, rig.bridge_log());
        CHECK((*r)["ok"] == false);
        CHECK((*r)["cmd"] == name);
        CHECK((*r)["error"]["code"] == "refused");
        // The remote socket's own refusal, passed on: the bridge let it through.
        CHECK((*r)["error"]["message"] ==
              std::string(name) +
                  " is not allowed on the remote socket: api.remote_adjust is off in the "
                  "daemon's configuration");
    }
    std::this_thread::sleep_for(500ms);
    const auto status = rig.status();
    REQUIRE(status);
    CHECK((*status)["speed"]["target_kmh"].get<double>() <= 8.0);  // the program's
    CHECK((*status)["incline"]["target_pct"].get<double>() == 0.0);
}

TEST_CASE("speed and incline over MQTT are refused when allow_adjust is false") {
    Rig rig;
    REQUIRE_MESSAGE(rig.wait_availability("online", 10s), rig.bridge_log());
    rig.start_workout();
    for (const char* name : {"speed", "incline"}) {
        const auto r =
            rig.command(name, {{"value", std::string(name) == "speed" ? "10 km/h" : "2%"}},
                        std::string(name) == "speed" ? 1 : 2);
        REQUIRE_MESSAGE(r, name);
        CHECK((*r)["ok"] == false);
        CHECK((*r)["error"]["code"] == "refused");
        CHECK((*r)["error"]["message"].get<std::string>().find("allow_adjust: false") !=
              std::string::npos);
    }
    std::this_thread::sleep_for(500ms);
    CHECK(rig.status().value()["speed"]["target_kmh"].get<double>() <= 8.0);  // the program's
}

TEST_CASE("start, resume, reset and estop over MQTT are refused with a reason") {
    Rig rig;
    REQUIRE_MESSAGE(rig.wait_availability("online", 10s), rig.bridge_log());
    const auto before = rig.client->messages().size();
    for (const char* name : {"start", "resume", "reset", "estop"}) {
        rig.client->publish(rig.topic(std::string("cmd/") + name), R"({"program":"easy-run"})");
        const auto result = rig.wait_json(
            "result", [&](const json& r) { return r["cmd"] == name; }, 5s, before);
        REQUIRE_MESSAGE(result, name);
        CHECK((*result)["ok"] == false);
        CHECK((*result)["error"]["code"] == "refused");
        CHECK_FALSE((*result)["error"]["message"].get<std::string>().empty());
    }
    // Nothing reached the daemon.
    std::this_thread::sleep_for(1s);
    CHECK(rig.status().value_or(json())["state"] == "idle");
}

TEST_CASE("a retained (stale) stop command is ignored; the workout goes on") {
    Rig rig(false);
    rig.start_workout();
    rig.client->publish(rig.topic("cmd/stop"), "{}", {true, std::nullopt, std::nullopt});
    std::this_thread::sleep_for(300ms);
    rig.start_bridge_process();
    const auto result = rig.wait_json(
        "result", [](const json& r) { return r["cmd"] == "stop"; }, 10s);
    REQUIRE_MESSAGE(result, rig.bridge_log());
    CHECK((*result)["ok"] == false);
    CHECK((*result)["error"]["code"] == "ignored");
    std::this_thread::sleep_for(1s);
    CHECK(rig.status().value_or(json())["state"] == "running");
    rig.client->publish(rig.topic("cmd/stop"), "", {true, std::nullopt, std::nullopt});  // clear
}

TEST_CASE("a retained stop published while the bridge is connected is ignored; the belt runs on") {
    Rig rig;
    REQUIRE_MESSAGE(rig.wait_availability("online", 10s), rig.bridge_log());
    rig.start_workout();
    const auto before = rig.client->messages().size();
    // Under MQTT 5 the broker clears RETAIN on live delivery unless the bridge's subscription
    // asks for Retain-As-Published: without it this stop would stop the belt.
    rig.client->publish(rig.topic("cmd/stop"), "{}", {true, std::nullopt, std::nullopt});
    const auto result = rig.wait_json(
        "result", [](const json& r) { return r["cmd"] == "stop"; }, 10s, before);
    REQUIRE_MESSAGE(result, rig.bridge_log());
    CHECK((*result)["ok"] == false);
    CHECK((*result)["error"]["code"] == "ignored");
    std::this_thread::sleep_for(1s);
    const auto status = rig.status();
    REQUIRE(status);
    CHECK((*status)["state"] == "running");
    CHECK((*status)["speed"]["target_kmh"].get<double>() > 5.0);
    rig.client->publish(rig.topic("cmd/stop"), "", {true, std::nullopt, std::nullopt});  // clear
}

TEST_CASE("a workout run to its end: one session_ended event, completed, with its summary") {
    Rig rig;
    REQUIRE_MESSAGE(rig.wait_availability("online", 10s), rig.bridge_log());
    const auto before = rig.client->messages().size();
    rig.start_workout(kShortProgram);
    CHECK(rig.wait_json(
        "event", [](const json& e) { return e["event"] == "session_started"; }, 5s, before));
    const auto ended = rig.wait_json(
        "event", [](const json& e) { return e["event"] == "session_ended"; }, 60s, before);
    REQUIRE_MESSAGE(ended, rig.bridge_log());
    CHECK((*ended)["ended"] == "completed");
    CHECK((*ended)["program"]["name"] == "mqtt short");
    const json summary = (*ended)["summary"];
    REQUIRE_MESSAGE(summary.is_object(), ended->dump());
    // 40 s at 8 km/h is 89 m; the ramps up and down take a little.
    CHECK(summary["time_s"].get<double>() >= 38);
    CHECK(summary["time_s"].get<double>() <= 45);
    CHECK(summary["distance_m"].get<double>() > 60);
    CHECK(summary["distance_m"].get<double>() < 100);
    // About 7:30 /km at 8 km/h (slower with the ramps).
    CHECK(summary["avg_pace_s_per_km"].get<double>() > 440);
    CHECK(summary["avg_pace_s_per_km"].get<double>() < 650);
    CHECK(summary.contains("ascent_m"));
    CHECK(rig.wait_state("idle", 20s));
    std::this_thread::sleep_for(2s);
    CHECK(rig.events([](const json& e) { return e["event"] == "session_ended"; }, before).size() ==
          1);
}

TEST_CASE(
    "the broker killed and restarted mid-workout: the workout goes on, the bridge comes back") {
    Rig rig;
    REQUIRE_MESSAGE(rig.wait_availability("online", 10s), rig.bridge_log());
    rig.start_workout();
    REQUIRE(rig.wait_json(
        "telemetry",
        [](const json& tm) {
            return tm["speed_kmh"].is_number() && tm["speed_kmh"].get<double>() > 5.0;
        },
        20s));
    const double distance = rig.status().value()["distance_m"].get<double>();
    rig.broker.kill9();
    std::this_thread::sleep_for(3s);
    const auto during = rig.status();
    REQUIRE(during);
    CHECK((*during)["state"] == "running");
    CHECK((*during)["distance_m"].get<double>() > distance);
    CHECK(rig.bridge->running());

    rig.client->clear();
    rig.broker.start();
    REQUIRE(rig.client->wait_connected(15s));
    CHECK_MESSAGE(rig.wait_availability("online", 40s), rig.bridge_log());
    CHECK(t::wait_until([&] { return rig.discovery().size() >= 11; }, 10s));
    CHECK(rig.wait_json(
        "state", [](const json& s) { return s["state"] == "running"; }, 10s));
    // The metrics too, at once on the new connection (the interval is 60 s).
    CHECK(rig.wait_json(
        "metrics", [](const json& m) { return m["belt_hours"].is_number(); }, 10s));
    CHECK(rig.wait_json(
        "telemetry",
        [](const json& tm) {
            return tm["speed_kmh"].is_number() && tm["speed_kmh"].get<double>() > 5.0;
        },
        10s));
    CHECK(rig.status().value_or(json())["state"] == "running");

    // Nothing stale after a reconnect. The broker freezes (its kernel still takes our bytes),
    // the workout ends meanwhile: the bridge publishes session_ended and the idle state at
    // QoS 1, never acknowledged. The broker dies and comes back: the fresh state is published
    // again, and the old event must not arrive after it.
    rig.broker.process->signal(SIGSTOP);
    REQUIRE(rig.call({{"id", 2}, {"cmd", "stop"}}).value_or(json())["ok"] == true);
    REQUIRE(rig.wait_state("idle", 20s));
    std::this_thread::sleep_for(1500ms);  // the bridge saw it and wrote its messages
    rig.broker.kill9();
    // Down long enough for the test client to be back before the bridge's next try (1 s, 3 s,
    // 7 s after the loss), so it would see anything the bridge sends again.
    std::this_thread::sleep_for(4s);
    rig.client->clear();
    rig.broker.start();
    REQUIRE(rig.client->wait_connected(15s));
    REQUIRE_MESSAGE(rig.wait_availability("online", 40s), rig.bridge_log());
    CHECK(rig.wait_json(
        "state", [](const json& s) { return s["state"] == "idle"; }, 10s));
    std::this_thread::sleep_for(3s);
    const auto stale = rig.events([](const json& e) { return e["event"] == "session_ended"; });
    CHECK_MESSAGE(stale.empty(), "a stale event was delivered after the reconnect: ",
                  stale.empty() ? std::string() : stale.front().dump());
}

TEST_CASE("treadmilld gone: availability offline, commands answered unavailable; back: online") {
    Rig rig;
    REQUIRE_MESSAGE(rig.wait_availability("online", 10s), rig.bridge_log());
    auto before = rig.client->messages().size();
    rig.daemon->signal(SIGKILL);
    rig.daemon->wait_exit(5s);
    CHECK(rig.wait_availability("offline", 10s, before));
    rig.client->publish(rig.topic("cmd/stop"), "{}");
    const auto result = rig.wait_json(
        "result", [](const json& r) { return r["cmd"] == "stop"; }, 10s, before);
    REQUIRE_MESSAGE(result, rig.bridge_log());
    CHECK((*result)["ok"] == false);
    CHECK((*result)["error"]["code"] == "unavailable");
    CHECK(rig.bridge->running());

    before = rig.client->messages().size();
    ::unlink(rig.socket.c_str());
    rig.daemon.emplace(
        std::vector<std::string>{TREADMILLD_BIN, "--config", rig.dir + "/treadmilld.yaml",
                                 "--socket", rig.socket, "--time-scale", "5"},
        rig.dir + "/treadmilld.2.log");
    CHECK_MESSAGE(rig.wait_availability("online", 30s, before), rig.bridge_log());
}

namespace {

int open_descriptors(pid_t pid) {
    int n = 0;
    for ([[maybe_unused]] const auto& e :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
        ++n;
    }
    return n;
}

}  // namespace

TEST_CASE("a silent broker and a refusing one: the workout goes on, the bridge retries") {
    Rig rig(false);
    rig.start_workout();
    // Silent: accepts TCP connections and never answers (no CONNACK).
    const auto silent_port = t::free_tcp_port();
    t::ChildProcess silent(
        {"/usr/bin/python3", "-c",
         "import socket,time\n"
         "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
         "s.bind(('127.0.0.1'," +
             std::to_string(silent_port) +
             ")); s.listen(16)\n"
             "held=[]\n"
             "while True: held.append(s.accept())\n"},
        rig.dir + "/silent.log");
    std::this_thread::sleep_for(500ms);
    const double distance = rig.status().value()["distance_m"].get<double>();
    rig.start_bridge_process(silent_port);
    std::this_thread::sleep_for(2s);
    const int descriptors = open_descriptors(rig.bridge->pid());
    CHECK(t::wait_until([&] { return rig.bridge_log().find("no CONNACK") != std::string::npos; },
                        20s));
    // Dropped and tried again, without leaking the old socket.
    std::this_thread::sleep_for(2s);
    CHECK(rig.bridge->running());
    CHECK(open_descriptors(rig.bridge->pid()) <= descriptors);
    const auto during = rig.status();
    REQUIRE(during);
    CHECK((*during)["state"] == "running");
    CHECK((*during)["distance_m"].get<double>() > distance);
    rig.bridge->signal(SIGKILL);
    rig.bridge->wait_exit(5s);

    // Refusing: anonymous clients are not allowed and the bridge has no user (users and
    // passwords: the test below).
    const auto refusing_port = t::free_tcp_port();
    const std::string conf = rig.dir + "/refusing.conf";
    std::ofstream(conf) << "listener " << refusing_port << " 127.0.0.1\nallow_anonymous false\n";
    t::ChildProcess refusing({mosquitto_path(), "-c", conf}, rig.dir + "/refusing.log");
    std::this_thread::sleep_for(500ms);
    rig.start_bridge_process(refusing_port);
    CHECK_MESSAGE(t::wait_until(
                      [&] {
                          return rig.bridge_log().find(
                                     "refused the connection: Not authorized (no "
                                     "username configured") != std::string::npos;
                      },
                      10s),
                  rig.bridge_log());
    std::this_thread::sleep_for(2s);
    CHECK(rig.bridge->running());
    CHECK(rig.status().value_or(json())["state"] == "running");
}

namespace {

// The name of the user the test runs as: mosquitto started as root drops to its own user
// unless told to stay, and could then not read the password file in our 0700 directory.
std::string current_user() {
    const passwd* pw = ::getpwuid(::geteuid());
    return pw ? pw->pw_name : "root";
}

// The timestamps (mosquitto's Unix seconds) of the connections the broker refused as not
// authorised, in its log.
std::vector<long> refusals_in(const std::string& log) {
    std::vector<long> out;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        if (line.find("not authorised") != std::string::npos) out.push_back(std::stol(line));
    }
    return out;
}

}  // namespace

TEST_CASE("a broker with users: a wrong password is refused, logged and retried; the right one") {
    Rig rig(false);
    rig.start_workout();
    // The broker's user for the bridge, in a password file made as an administrator would.
    const std::string passwd = rig.dir + "/broker.passwd";
    const auto made =
        t::run_command({"mosquitto_passwd", "-c", "-b", passwd, "treadmill", "s3cret pass"}, 10s);
    REQUIRE_MESSAGE(made.exit_code == 0, made.output);
    REQUIRE(::chmod(passwd.c_str(), 0600) == 0);
    // A listener with users for the bridge; an anonymous one beside it for the test's watcher.
    const auto plain_port = t::free_tcp_port();
    const auto users_port = t::free_tcp_port();
    const std::string conf = rig.dir + "/users.conf";
    std::ofstream(conf) << "per_listener_settings true\npersistence false\n"
                        << "user " << current_user() << "\n"
                        << "listener " << plain_port << " 127.0.0.1\nallow_anonymous true\n"
                        << "listener " << users_port << " 127.0.0.1\nallow_anonymous false\n"
                        << "password_file " << passwd << "\n";
    const std::string broker_log = rig.dir + "/users-broker.log";
    t::ChildProcess broker({mosquitto_path(), "-c", conf}, broker_log);
    t::MqttTestClient watcher(plain_port, "users-watcher-" + std::to_string(getpid()));
    REQUIRE_MESSAGE(watcher.wait_connected(10s), t::read_file(broker_log));
    const auto online = [&](std::chrono::milliseconds timeout) {
        return watcher
            .wait_for(
                rig.topic("availability"),
                [](const t::MqttMessage& m) { return m.payload == "online"; }, timeout)
            .has_value();
    };
    std::ofstream(rig.dir + "/wrong.password") << "s3cret\n";
    std::ofstream(rig.dir + "/right.password") << "s3cret pass\n";
    REQUIRE(::chmod((rig.dir + "/right.password").c_str(), 0600) == 0);  // the other: 0644

    // A wrong password: refused, said so with the user and what to check, and tried again after
    // 1, 2, then 4 s; the workout runs on.
    const double distance = rig.status().value()["distance_m"].get<double>();
    rig.start_bridge_process(
        users_port, "username: treadmill\npassword_file: " + rig.dir + "/wrong.password\n");
    CHECK_MESSAGE(
        t::wait_until([&] { return refusals_in(t::read_file(broker_log)).size() >= 4; }, 20s),
        rig.bridge_log());
    const std::string log = rig.bridge_log();
    INFO(log);
    CHECK(log.find("the broker refused the connection: Not authorized (user 'treadmill': check "
                   "username and password_file or password in the bridge's configuration)") !=
          std::string::npos);
    CHECK(log.find("warning: password_file " + rig.dir +
                   "/wrong.password is readable by every user") != std::string::npos);
    const auto one = log.find("next try in 1 s");
    const auto two = log.find("next try in 2 s");
    const auto four = log.find("next try in 4 s");
    REQUIRE(one != std::string::npos);
    REQUIRE(two != std::string::npos);
    REQUIRE(four != std::string::npos);
    CHECK(one < two);
    CHECK(two < four);
    // The broker saw the back-off: the fourth try came about 4 s after the third.
    const auto refused = refusals_in(t::read_file(broker_log));
    REQUIRE(refused.size() >= 4);
    CHECK(refused[1] - refused[0] <= 2);
    CHECK(refused[3] - refused[2] >= 3);
    CHECK_FALSE(online(500ms));
    CHECK(rig.bridge->running());
    const auto during = rig.status();
    REQUIRE(during);
    CHECK((*during)["state"] == "running");
    CHECK((*during)["distance_m"].get<double>() > distance);
    rig.bridge->signal(SIGTERM);
    CHECK(rig.bridge->wait_exit(5s) == 0);

    // The right password from the file: online, the state follows, the broker names the user.
    rig.start_bridge_process(
        users_port, "username: treadmill\npassword_file: " + rig.dir + "/right.password\n");
    CHECK_MESSAGE(online(15s), rig.bridge_log());
    CHECK(watcher
              .wait_for(
                  rig.topic("state"),
                  [](const t::MqttMessage& m) { return parse(m.payload)["state"] == "running"; },
                  10s)
              .has_value());
    CHECK(t::read_file(broker_log).find("u'treadmill'") != std::string::npos);
    CHECK(rig.bridge_log().find("warning") == std::string::npos);  // 0600: no warning
    rig.bridge->signal(SIGTERM);
    CHECK(rig.bridge->wait_exit(5s) == 0);

    // The same in the configuration itself (`password:`).
    watcher.clear();
    rig.start_bridge_process(users_port, "username: treadmill\npassword: s3cret pass\n");
    CHECK_MESSAGE(online(15s), rig.bridge_log());
    CHECK(rig.status().value_or(json())["state"] == "running");
}

TEST_CASE("SIGTERM: availability offline first, exit status 0; a flood of stops is bounded") {
    Rig rig;
    REQUIRE_MESSAGE(rig.wait_availability("online", 10s), rig.bridge_log());
    // 200 stops at once: each is answered (by the daemon or refused as too many waiting).
    const auto before = rig.client->messages().size();
    for (int i = 0; i < 200; ++i) rig.client->publish(rig.topic("cmd/stop"), "{}");
    CHECK(t::wait_until(
        [&] {
            std::size_t results = 0;
            const auto all = rig.client->messages();
            for (std::size_t i = before; i < all.size(); ++i)
                results += all[i].topic == rig.topic("result");
            return results == 200;
        },
        20s));
    std::size_t waiting = 0;
    const auto all = rig.client->messages();
    for (std::size_t i = before; i < all.size(); ++i) {
        if (all[i].topic == rig.topic("result") &&
            all[i].payload.find("too many commands waiting") != std::string::npos) {
            ++waiting;
        }
    }
    MESSAGE("refused as too many waiting: ", waiting, " of 200");
    CHECK(waiting > 0);  // the bound was reached, so the daemon never saw 200 connections
    CHECK(rig.status().value_or(json())["state"] == "idle");

    const auto mark = rig.client->messages().size();
    rig.bridge->signal(SIGTERM);
    CHECK(rig.bridge->wait_exit(5s) == 0);
    CHECK(rig.wait_availability("offline", 5s, mark));
}

namespace {

// A throwaway CA, a server certificate for 127.0.0.1, a client certificate, and a second CA
// that signed nothing of these, made with the openssl CLI in `dir` (readable by the broker,
// which drops root for its own user).
void make_certificates(const std::string& dir) {
    const std::string script =
        "set -e\n"
        "cd '" +
        dir +
        "'\n"
        "key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out $1; }\n"
        "key ca.key; key other-ca.key; key server.key; key client.key\n"
        "openssl req -x509 -new -key ca.key -out ca.crt -days 2 -subj /CN=treadmill-test-ca\n"
        "openssl req -x509 -new -key other-ca.key -out other-ca.crt -days 2 -subj /CN=other-ca\n"
        "openssl req -new -key server.key -out server.csr -subj /CN=127.0.0.1\n"
        "printf 'subjectAltName=IP:127.0.0.1\\n' > server.ext\n"
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
        "-extfile server.ext -out server.crt\n"
        "openssl req -new -key client.key -out client.csr -subj /CN=treadmill-mqtt-test\n"
        "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
        "-out client.crt\n"
        "chmod 755 .; chmod 644 *.crt *.key\n";
    const auto made = t::run_command({"/bin/sh", "-c", script}, 60s);
    REQUIRE_MESSAGE(made.exit_code == 0, made.output);
}

}  // namespace

TEST_CASE("TLS to the broker with a client certificate; a wrong CA is refused and logged") {
    Rig rig(false);
    rig.start_workout();
    make_certificates(rig.dir);
    // One broker: a plain listener for the test client, a TLS one (client certificate
    // required) for the bridge.
    const auto plain_port = t::free_tcp_port();
    const auto tls_port = t::free_tcp_port();
    const std::string conf = rig.dir + "/tls.conf";
    std::ofstream(conf) << "allow_anonymous true\npersistence false\n"
                        << "listener " << plain_port << " 127.0.0.1\n"
                        << "listener " << tls_port << " 127.0.0.1\n"
                        << "cafile " << rig.dir << "/ca.crt\n"
                        << "certfile " << rig.dir << "/server.crt\n"
                        << "keyfile " << rig.dir << "/server.key\n"
                        << "require_certificate true\n";
    t::ChildProcess broker({mosquitto_path(), "-c", conf}, rig.dir + "/tls-broker.log");
    t::MqttTestClient watcher(plain_port, "tls-watcher-" + std::to_string(getpid()));
    REQUIRE_MESSAGE(watcher.wait_connected(10s), t::read_file(rig.dir + "/tls-broker.log"));
    const auto online = [&](std::chrono::milliseconds timeout) {
        return watcher
            .wait_for(
                rig.topic("availability"),
                [](const t::MqttMessage& m) { return m.payload == "online"; }, timeout)
            .has_value();
    };

    // A wrong CA: the handshake fails, the bridge says why and keeps trying; the belt runs on.
    rig.start_bridge_process(tls_port, "tls: {ca_file: " + rig.dir +
                                           "/other-ca.crt, cert_file: " + rig.dir +
                                           "/client.crt, key_file: " + rig.dir + "/client.key}\n");
    CHECK_MESSAGE(
        t::wait_until(
            [&] { return rig.bridge_log().find("certificate verify failed") != std::string::npos; },
            10s),
        rig.bridge_log());
    CHECK_FALSE(online(2s));
    CHECK(rig.bridge->running());
    CHECK(rig.status().value_or(json())["state"] == "running");
    rig.bridge->signal(SIGTERM);
    rig.bridge->wait_exit(5s);

    // The right CA and the client certificate: online, and the state follows.
    rig.start_bridge_process(tls_port, "tls: {ca_file: " + rig.dir +
                                           "/ca.crt, cert_file: " + rig.dir +
                                           "/client.crt, key_file: " + rig.dir + "/client.key}\n");
    CHECK_MESSAGE(online(15s), rig.bridge_log());
    CHECK(watcher
              .wait_for(
                  rig.topic("state"),
                  [](const t::MqttMessage& m) { return parse(m.payload)["state"] == "running"; },
                  10s)
              .has_value());
    CHECK(rig.status().value_or(json())["state"] == "running");

    // A CA file that is not there: a clear error at start, naming it, and exit status 1.
    rig.bridge->signal(SIGTERM);
    rig.bridge->wait_exit(5s);
    rig.start_bridge_process(tls_port, "tls: {ca_file: " + rig.dir + "/missing.crt}\n");
    CHECK(rig.bridge->wait_exit(5s) == 1);
    CHECK_MESSAGE(rig.bridge_log().find("missing.crt") != std::string::npos, rig.bridge_log());
    CHECK(rig.status().value_or(json())["state"] == "running");
}
