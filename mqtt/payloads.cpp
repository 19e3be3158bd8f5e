#include "mqtt/payloads.hpp"

#include <cmath>

namespace treadmill::mqtt {

using nlohmann::json;

namespace {

// `value` rounded to `decimals`, null stays null (and anything not a number becomes null).
json rounded(const json& value, int decimals) {
    if (!value.is_number()) return nullptr;
    const double scale = std::pow(10.0, decimals);
    const double r = std::round(value.get<double>() * scale) / scale;
    if (decimals == 0) return static_cast<std::int64_t>(r);
    return r;
}

json field(const json& object, const char* key) {
    if (!object.is_object()) return nullptr;
    const auto it = object.find(key);
    return it == object.end() ? json(nullptr) : *it;
}

json fault_of(const json& status) {
    const json fault = field(status, "fault");
    if (!fault.is_object()) return nullptr;
    return {{"code", field(fault, "code")}, {"message", field(fault, "message")}};
}

json program_of(const json& status) {
    const json program = field(status, "program");
    if (!program.is_object()) return nullptr;
    return {{"id", field(program, "id")}, {"name", field(program, "name")}};
}

// The step without its countdowns (remaining_s/_m change every status; the retained state
// changes only when the step does).
json step_of(const json& status) {
    const json step = field(status, "step");
    if (!step.is_object()) return nullptr;
    json out = json::object();
    for (const char* key : {"index", "count", "class", "cue", "rep", "reps"}) {
        out[key] = field(step, key);
    }
    return out;
}

bool in_session(const json& state) {
    return state == "countdown" || state == "running" || state == "paused" || state == "stopping";
}

json device_block(const std::string& object_id, const std::string& name) {
    return {{"identifiers", json::array({object_id})},
            {"name", "Treadmill " + name},
            {"manufacturer", "treadmilld"},
            {"model", "treadmilld (treadmill-mqtt bridge)"}};
}

}  // namespace

json state_payload(const json& status) {
    return {{"state", field(status, "state")},
            {"program", program_of(status)},
            {"step", step_of(status)},
            {"fault", fault_of(status)},
            {"key_present", field(status, "key_present")}};
}

json telemetry_payload(const json& status) {
    return {{"speed_kmh", rounded(field(field(status, "speed"), "actual_kmh"), 2)},
            {"incline_pct", rounded(field(field(status, "incline"), "actual_pct"), 1)},
            {"distance_m", rounded(field(status, "distance_m"), 1)},
            {"elapsed_s", rounded(field(status, "elapsed_s"), 0)},
            {"pace_s_per_km", rounded(field(status, "pace_s_per_km"), 0)}};
}

bool belt_moving(const json& status) {
    const json actual = field(field(status, "speed"), "actual_kmh");
    const json target = field(field(status, "speed"), "target_kmh");
    const auto positive = [](const json& v) { return v.is_number() && v.get<double>() > 0.05; };
    return positive(actual) || positive(target);
}

bool TelemetryGate::should_publish(const json& payload, bool moving, Clock::time_point now) {
    const bool due = moving ? (!last_ || now - last_at_ >= std::chrono::seconds(1))
                            : (!last_ || *last_ != payload);
    if (!due) return false;
    last_ = payload;
    last_at_ = now;
    return true;
}

std::vector<json> EventTracker::update(const json& status) {
    std::vector<json> events;
    const json prev = previous_.value_or(json::object());
    const json state = field(status, "state");
    const json was = field(prev, "state");
    if (previous_ && !in_session(was) && in_session(state)) {
        events.push_back({{"event", "session_started"}, {"program", program_of(status)}});
    }
    if (previous_ && in_session(was) && !in_session(state)) {
        events.push_back({{"event", "session_ended"},
                          {"ended", state == "fault" ? "fault" : "stopped"},
                          {"program", program_of(prev)},
                          {"elapsed_s", rounded(field(prev, "elapsed_s"), 0)},
                          {"distance_m", rounded(field(prev, "distance_m"), 1)}});
    }
    const json fault = fault_of(status);
    const json had = fault_of(prev);
    if (!fault.is_null() && (had.is_null() || had["code"] != fault["code"])) {
        events.push_back({{"event", "fault"}, {"fault", fault}});
    }
    if (previous_ && fault.is_null() && !had.is_null()) {
        events.push_back({{"event", "fault_cleared"}, {"fault", had}});
    }
    previous_ = status;
    return events;
}

std::optional<json> metrics_payload(const json& metrics) {
    const json counters = field(metrics, "counters");
    if (!counters.is_object()) return std::nullopt;
    json out = json::object();
    const json running_s = field(counters, "belt_running_s");
    out["belt_hours"] =
        running_s.is_number() ? rounded(running_s.get<double>() / 3600.0, 3) : json(nullptr);
    out["belt_running_s"] = rounded(running_s, 1);
    out["belt_distance_m"] = rounded(field(counters, "belt_distance_m"), 1);
    for (const char* key : {"motor_starts", "incline_moves", "starts", "unclean_exits"}) {
        out[key] = field(counters, key);
    }
    for (const char* key : {"sessions", "faults", "safety_stops", "modbus_transactions"}) {
        const json by = field(counters, key);
        out[key] = by.is_object() ? by : json::object();
    }
    return out;
}

json with_session_summary(const json& ended_event, const json& session_reply) {
    json event = ended_event;
    event["summary"] = nullptr;
    const json summary = field(field(session_reply, "session"), "summary");
    if (session_reply.value("ok", false) != true || !summary.is_object()) return event;
    const json ended = field(summary, "ended");
    if (ended.is_string()) event["ended"] = ended;
    json out = json::object();
    for (const char* key :
         {"time_s", "distance_m", "avg_pace_s_per_km", "best_pace_s_per_km", "ascent_m"}) {
        out[key] = field(summary, key);
    }
    out["time_s"] = rounded(out["time_s"], 0);
    out["distance_m"] = rounded(out["distance_m"], 1);
    out["avg_pace_s_per_km"] = rounded(out["avg_pace_s_per_km"], 0);
    out["best_pace_s_per_km"] = rounded(out["best_pace_s_per_km"], 0);
    out["ascent_m"] = rounded(out["ascent_m"], 1);
    event["summary"] = out;
    return event;
}

std::vector<Discovery> discovery_configs(const Topics& topics, const std::string& name) {
    const std::string id = object_id_for(topics.prefix());
    const json device = device_block(id, name);
    std::vector<Discovery> out;
    const auto add = [&](const std::string& component, const std::string& key,
                         const std::string& label, json config) {
        config["name"] = label;
        config["unique_id"] = id + "_" + key;
        config["object_id"] = id + "_" + key;
        config["device"] = device;
        config["availability_topic"] = topics.availability();
        config["payload_available"] = "online";
        config["payload_not_available"] = "offline";
        out.push_back({"homeassistant/" + component + "/" + id + "/" + key + "/config", config});
    };
    const auto sensor = [&](const std::string& key, const std::string& label,
                            const std::string& unit, const std::string& value) {
        add("sensor", key, label,
            {{"state_topic", topics.telemetry()},
             {"value_template", "{{ value_json." + value + " }}"},
             {"unit_of_measurement", unit},
             {"state_class", "measurement"}});
    };
    sensor("speed", "Speed", "km/h", "speed_kmh");
    out.back().config["device_class"] = "speed";
    sensor("incline", "Incline", "%", "incline_pct");
    sensor("distance", "Distance", "m", "distance_m");
    out.back().config["device_class"] = "distance";
    sensor("pace", "Pace", "s/km", "pace_s_per_km");
    // Belt hours: a lifetime total (lubrication and service go by it), from P/metrics.
    add("sensor", "belt_hours", "Belt hours",
        {{"state_topic", topics.metrics()},
         {"value_template", "{{ value_json.belt_hours }}"},
         {"unit_of_measurement", "h"},
         {"device_class", "duration"},
         {"state_class", "total_increasing"},
         {"entity_category", "diagnostic"}});
    add("sensor", "program", "Program",
        {{"state_topic", topics.state()},
         {"value_template", "{{ value_json.program.name if value_json.program else 'none' }}"}});
    add("sensor", "state", "State",
        {{"state_topic", topics.state()}, {"value_template", "{{ value_json.state }}"}});
    const auto binary = [&](const std::string& key, const std::string& label,
                            const std::string& condition, const char* device_class) {
        json config = {{"state_topic", topics.state()},
                       {"value_template", "{{ 'ON' if " + condition + " else 'OFF' }}"}};
        if (device_class) config["device_class"] = device_class;
        add("binary_sensor", key, label, config);
    };
    binary("running", "Running", "value_json.state == 'running'", "running");
    binary("fault", "Fault", "value_json.fault", "problem");
    binary("key_present", "Safety key", "value_json.key_present", nullptr);
    add("button", "stop", "Stop",
        {{"command_topic", topics.command("stop")}, {"payload_press", R"({"cmd":"stop"})"}});
    return out;
}

json result_payload(const std::string& command, const json& reply) {
    json out = reply.is_object() ? reply : json::object();
    out.erase("id");
    out["cmd"] = command;
    return out;
}

json refusal_reply(const std::string& code, const std::string& message) {
    return {{"ok", false}, {"error", {{"code", code}, {"message", message}}}};
}

}  // namespace treadmill::mqtt
