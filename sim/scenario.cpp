// Scenario files.
#include "sim/scenario.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <regex>

namespace treadmill::sim {

using nlohmann::json;

Result<Duration, std::string> parse_duration(const std::string& text) {
    static const std::regex pattern(R"(\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|min)\s*)");
    std::smatch m;
    if (!std::regex_match(text, m, pattern)) {
        return Unexpected<std::string>{"bad duration \"" + text +
                                       "\" (e.g. \"500 ms\", \"5 s\", \"1 min\")"};
    }
    const double value = std::stod(m[1].str());
    const double scale = m[2] == "ms" ? 0.001 : m[2] == "s" ? 1.0 : 60.0;
    return std::chrono::duration_cast<Duration>(Seconds(value * scale));
}

namespace {

// A YAML node as JSON: maps, sequences, and scalars (plain true/false/numbers typed).
json to_json(const YAML::Node& node) {
    if (node.IsMap()) {
        json j = json::object();
        for (const auto& kv : node) j[kv.first.as<std::string>()] = to_json(kv.second);
        return j;
    }
    if (node.IsSequence()) {
        json j = json::array();
        for (const auto& item : node) j.push_back(to_json(item));
        return j;
    }
    if (!node.IsScalar()) return nullptr;
    const std::string s = node.Scalar();
    if (node.Tag() == "!") return s;  // quoted: a string
    if (s == "true" || s == "false") return s == "true";
    try {
        std::size_t used = 0;
        const long long i = std::stoll(s, &used);
        if (used == s.size()) return i;
        const double d = std::stod(s, &used);
        if (used == s.size()) return d;
    } catch (const std::exception&) {
    }
    return s;
}

}  // namespace

Result<std::vector<ScenarioStep>, std::string> load_scenario(const std::string& path) {
    using Error = Unexpected<std::string>;
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const std::exception& e) {
        return Error{path + ": " + e.what()};
    }
    if (!root.IsSequence()) return Error{path + ": expected a list of {at: ..., do: {...}}"};
    std::vector<ScenarioStep> steps;
    for (std::size_t i = 0; i < root.size(); ++i) {
        const auto item = root[i];
        const auto where = path + ":" + std::to_string(item.Mark().line + 1) + ": ";
        if (!item.IsMap() || !item["at"] || !item["do"] || !item["do"].IsMap()) {
            return Error{where + "each step needs \"at\" and a \"do\" map"};
        }
        auto at = parse_duration(item["at"].Scalar());
        if (!at) return Error{where + at.error()};
        steps.push_back(ScenarioStep{*at, to_json(item["do"])});
    }
    return steps;
}

}  // namespace treadmill::sim
