// Loading tests/scenarios/*.yaml into a Scenario.
#include "tests/scenarios/scenario_spec.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "common/json_text.hpp"

namespace treadmill::scenarios {

namespace {

using nlohmann::json;

// A plain scalar as the JSON value it spells (bool, integer, number), else a string.
json scalar_to_json(const YAML::Node& node) {
    const std::string text = node.Scalar();
    if (node.Tag() == "!") return text;  // quoted: always a string
    if (text == "true") return true;
    if (text == "false") return false;
    char* end = nullptr;
    const long long integer = std::strtoll(text.c_str(), &end, 10);
    if (!text.empty() && *end == '\0') return integer;
    const double number = std::strtod(text.c_str(), &end);
    if (!text.empty() && *end == '\0') return number;
    return text;
}

json to_json(const YAML::Node& node) {
    if (node.IsScalar()) return scalar_to_json(node);
    if (node.IsSequence()) {
        json out = json::array();
        for (const auto& item : node) out.push_back(to_json(item));
        return out;
    }
    if (node.IsMap()) {
        json out = json::object();
        for (const auto& kv : node) out[kv.first.as<std::string>()] = to_json(kv.second);
        return out;
    }
    return nullptr;
}

// Rejects keys outside `allowed` so a typo does not silently weaken a scenario.
void check_keys(const YAML::Node& map, const std::vector<std::string>& allowed,
                const std::string& where) {
    if (!map.IsMap()) throw std::runtime_error(where + ": expected a mapping");
    for (const auto& kv : map) {
        const auto key = kv.first.as<std::string>();
        bool known = false;
        for (const auto& a : allowed) known = known || a == key;
        if (!known) throw std::runtime_error(where + ": unknown key \"" + key + "\"");
    }
}

double seconds_of(const YAML::Node& node) {
    return parse_seconds(node.as<std::string>());
}

Condition load_condition(const YAML::Node& n, const std::string& where) {
    check_keys(n,
               {"state", "fault", "belt_above", "belt_below", "key_present", "daemon_exited",
                "drive_fault"},
               where);
    Condition c;
    if (n["state"]) c.state = n["state"].as<std::string>();
    if (n["fault"]) c.fault = n["fault"].as<std::string>();
    if (n["belt_above"]) c.belt_above = n["belt_above"].as<double>();
    if (n["belt_below"]) c.belt_below = n["belt_below"].as<double>();
    if (n["key_present"]) c.key_present = n["key_present"].as<bool>();
    if (n["daemon_exited"]) c.daemon_exited = n["daemon_exited"].as<bool>();
    if (n["drive_fault"]) c.drive_fault = n["drive_fault"].as<int>();
    return c;
}

json api_request(const YAML::Node& n) {
    if (n.IsScalar()) return json{{"cmd", n.as<std::string>()}};
    return to_json(n);
}

Step load_step(const YAML::Node& n, const std::string& where) {
    check_keys(n,
               {"at", "after", "when", "within", "sim", "api", "daemon", "pty", "expect_ok", "mark",
                "note"},
               where);
    Step s;
    if (n["at"]) s.at_s = seconds_of(n["at"]);
    if (n["after"]) s.after_s = seconds_of(n["after"]);
    if (n["when"]) s.when = load_condition(n["when"], where + ".when");
    if (n["within"]) s.within_s = seconds_of(n["within"]);
    if (n["sim"]) s.sim = to_json(n["sim"]);
    if (n["api"]) s.api = api_request(n["api"]);
    if (n["daemon"]) s.daemon_signal = n["daemon"].as<std::string>();
    if (n["pty"]) s.pty = n["pty"].as<std::string>();
    if (n["expect_ok"]) s.expect_ok = n["expect_ok"].as<bool>();
    if (n["mark"]) s.mark = n["mark"].as<bool>();
    const auto& sig = s.daemon_signal;
    if (!sig.empty() && sig != "kill9" && sig != "sigstop" && sig != "sigcont" && sig != "sigterm")
        throw std::runtime_error(where + ": daemon is kill9|sigstop|sigcont|sigterm");
    if (!s.pty.empty() && s.pty != "remove" && s.pty != "restore")
        throw std::runtime_error(where + ": pty is remove|restore");
    return s;
}

Expectation load_expectation(const YAML::Node& n) {
    check_keys(
        n,
        {"trips", "trip_within", "stop_within", "rest_within", "final_state", "drive_fault",
         "daemon", "exit_code", "link_errors_min", "link_errors_max", "keeps_running", "observe"},
        "expect");
    Expectation e;
    if (n["trips"]) {
        e.trips.clear();
        if (n["trips"].IsSequence())
            for (const auto& t : n["trips"]) e.trips.push_back(t.as<std::string>());
        else
            e.trips.push_back(n["trips"].as<std::string>());
    }
    if (n["trip_within"]) e.trip_within_s = seconds_of(n["trip_within"]);
    if (n["stop_within"]) e.stop_within_s = seconds_of(n["stop_within"]);
    if (n["rest_within"]) e.rest_within_s = seconds_of(n["rest_within"]);
    if (n["final_state"]) e.final_state = n["final_state"].as<std::string>();
    if (n["drive_fault"]) e.drive_fault = n["drive_fault"].as<int>();
    if (n["daemon"]) e.daemon = n["daemon"].as<std::string>();
    if (n["exit_code"]) e.exit_code = n["exit_code"].as<int>();
    if (n["link_errors_min"]) e.link_errors_min = n["link_errors_min"].as<int>();
    if (n["link_errors_max"]) e.link_errors_max = n["link_errors_max"].as<int>();
    if (n["keeps_running"]) e.keeps_running = n["keeps_running"].as<bool>();
    if (n["observe"]) e.observe_s = seconds_of(n["observe"]);
    return e;
}

}  // namespace

double parse_seconds(const std::string& text) {
    std::istringstream in(text);
    double value = 0.0;
    std::string unit;
    if (!(in >> value)) throw std::runtime_error("bad duration \"" + text + "\"");
    in >> unit;
    if (unit.empty() || unit == "s") return value;
    if (unit == "ms") return value / 1000.0;
    if (unit == "min") return value * 60.0;
    throw std::runtime_error("bad duration unit in \"" + text + "\"");
}

Scenario load_scenario(const std::string& path) {
    const YAML::Node root = YAML::LoadFile(path);
    check_keys(root,
               {"name", "proves", "transports", "disabled", "disabled_on", "daemon_config",
                "program", "start_speed", "board_time_scale", "timeline", "expect"},
               path);
    Scenario s;
    s.name = root["name"].as<std::string>();
    s.proves = root["proves"].as<std::string>("");
    for (const auto& t : root["transports"]) s.transports.push_back(t.as<std::string>());
    s.daemon_config = root["daemon_config"].as<std::string>("");
    s.program = root["program"].as<std::string>("");
    if (root["start_speed"]) s.start_speed = root["start_speed"].as<double>();
    s.board_time_scale = root["board_time_scale"].as<int>(10);
    int index = 0;
    for (const auto& step : root["timeline"])
        s.timeline.push_back(load_step(step, "timeline[" + std::to_string(index++) + "]"));
    if (root["expect"]) s.expect = load_expectation(root["expect"]);
    bool marked = false;
    for (const auto& step : s.timeline) marked = marked || step.mark;
    for (auto& step : s.timeline) {  // by default the first action is the fault instant
        if (marked) break;
        if (step.has_action()) marked = step.mark = true;
    }
    return s;
}

json program_request(const std::string& program) {
    if (program.find("schema:") != std::string::npos) return json{{"yaml", program}};
    std::istringstream in(program);
    std::string word, unit, incline_word, incline;
    double speed = 0.0;
    if (!(in >> word) || word != "steady") return json{{"program", program}};
    in >> speed >> unit >> incline_word >> incline;
    std::ostringstream yaml;
    yaml << "schema: treadmill-workout/1\nname: scenario steady\nsteps:\n  - run: 60 s\n"
         << "    speed: " << speed << " km/h\n";
    if (incline_word == "incline") yaml << "    incline: " << incline << "\n";
    return json{{"yaml", yaml.str()}};
}

bool Condition::empty() const {
    return !state && !fault && !belt_above && !belt_below && !key_present && !daemon_exited &&
           !drive_fault;
}

std::string Condition::describe() const {
    std::ostringstream out;
    if (state) out << " state=" << *state;
    if (fault) out << " fault=" << *fault;
    if (belt_above) out << " belt>" << *belt_above;
    if (belt_below) out << " belt<" << *belt_below;
    if (key_present) out << " key_present=" << *key_present;
    if (daemon_exited) out << " daemon_exited=" << *daemon_exited;
    if (drive_fault) out << " drive_fault=" << *drive_fault;
    return out.str();
}

bool Step::has_action() const {
    return !sim.is_null() || !api.is_null() || !daemon_signal.empty() || !pty.empty();
}

std::string Step::describe() const {
    if (!sim.is_null()) return "sim " + json_text(sim);
    if (!api.is_null()) return "api " + json_text(api);
    if (!daemon_signal.empty()) return "daemon " + daemon_signal;
    if (!pty.empty()) return "pty " + pty;
    return "wait" + when.describe();
}

}  // namespace treadmill::scenarios
