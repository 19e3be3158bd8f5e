#include "controller/api/ctl_requests.hpp"

#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "controller/api/ctl_pair.hpp"
#include "programs/diagnostic.hpp"

namespace treadmill::api {

using nlohmann::json;

namespace {

constexpr std::array kCommands{
    DaemonCommandInfo{"start", "NAME|FILE [--pace K=V]...", "start a program (countdown first)"},
    DaemonCommandInfo{"pause", "", "pause the workout (the belt ramps to 0)"},
    DaemonCommandInfo{"resume", "", "resume after a pause (countdown, then minimum speed)"},
    DaemonCommandInfo{"stop", "", "end the workout with a ramped stop"},
    DaemonCommandInfo{"skip", "", "end the current step"},
    DaemonCommandInfo{"speed", "[+|-]V", "set or change the speed (bare numbers are km/h)"},
    DaemonCommandInfo{"incline", "V", "set the incline (bare numbers are %)"},
    DaemonCommandInfo{"estop", "", "emergency stop (fault until reset)"},
    DaemonCommandInfo{"reset", "", "clear a fault once its cause is gone"},
    DaemonCommandInfo{"status", "", "the daemon's state, once"},
    DaemonCommandInfo{"watch", "", "a live one-screen view of the workout"},
    DaemonCommandInfo{"sim", "JSON", "a command to the embedded simulator"},
    DaemonCommandInfo{"pair", "[--viewer] | --list | --revoke ID",
                      "a one-time PIN for the console (2 min); list or revoke paired devices"},
};

bool is_bare_number(std::string_view s) {
    if (s.empty()) return false;
    bool digit = false;
    for (const char c : s) {
        if (std::isdigit(static_cast<unsigned char>(c)))
            digit = true;
        else if (c != '.')
            return false;
    }
    return digit;
}

Result<json, std::string> start_request(const std::vector<std::string>& args) {
    json request = {{"cmd", "start"}};
    json paces = json::object();
    std::vector<std::string> positionals;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string pace;
        if (args[i] == "--pace" && i + 1 < args.size())
            pace = args[++i];
        else if (args[i].rfind("--pace=", 0) == 0)
            pace = args[i].substr(7);
        else if (args[i].rfind("--", 0) == 0)
            return Unexpected{"unknown option " + args[i]};
        else {
            positionals.push_back(args[i]);
            continue;
        }
        const auto eq = pace.find('=');
        if (eq == std::string::npos || eq == 0)
            return Unexpected{std::string("--pace takes NAME=PACE")};
        paces[pace.substr(0, eq)] = pace.substr(eq + 1);
    }
    if (positionals.size() != 1)
        return Unexpected{std::string("usage: start NAME|FILE [--pace K=V]...")};
    std::error_code ec;
    if (std::filesystem::is_regular_file(positionals[0], ec)) {
        std::ifstream in(positionals[0], std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        if (const auto bad = programs::utf8_diagnostic(text.str(), positionals[0]))
            return Unexpected{bad->to_string()};  // refused here, never sent
        request["yaml"] = text.str();
    } else {
        request["program"] = positionals[0];
    }
    if (!paces.empty()) request["pace"] = paces;
    return request;
}

Result<json, std::string> speed_request(const std::vector<std::string>& args) {
    if (args.empty()) return Unexpected{std::string("usage: speed [+|-]V")};
    std::string text;
    for (const auto& a : args) text += (text.empty() ? "" : " ") + a;
    const bool relative = text.front() == '+' || text.front() == '-';
    const std::string_view number = std::string_view(text).substr(relative ? 1 : 0);
    if (is_bare_number(number)) text += " km/h";
    return json{{"cmd", "speed"}, {relative ? "delta" : "value", text}};
}

Result<json, std::string> incline_request(const std::vector<std::string>& args) {
    if (args.empty()) return Unexpected{std::string("usage: incline V")};
    std::string text;
    for (const auto& a : args) text += (text.empty() ? "" : " ") + a;
    const std::string_view number =
        std::string_view(text).substr(!text.empty() && text.front() == '-' ? 1 : 0);
    if (is_bare_number(number)) text += "%";
    return json{{"cmd", "incline"}, {"value", text}};
}

Result<json, std::string> sim_request(const std::vector<std::string>& args) {
    if (args.size() != 1) return Unexpected{std::string("usage: sim '{\"cmd\":...}'")};
    const json command = json::parse(args[0], nullptr, false);
    if (command.is_discarded() || !command.is_object())
        return Unexpected{std::string("sim takes one JSON object, e.g. '{\"cmd\":\"state\"}'")};
    return json{{"cmd", "sim"}, {"command", command}};
}

}  // namespace

std::span<const DaemonCommandInfo> daemon_commands() {
    return kCommands;
}

bool is_daemon_command(std::string_view name) {
    for (const auto& c : kCommands)
        if (c.name == name) return true;
    return false;
}

Result<json, std::string> build_request(const std::string& name,
                                        const std::vector<std::string>& args) {
    if (name == "start") return start_request(args);
    if (name == "speed") return speed_request(args);
    if (name == "incline") return incline_request(args);
    if (name == "sim") return sim_request(args);
    if (name == "pair") return pair_request(args);
    if (!is_daemon_command(name)) return Unexpected{"unknown command '" + name + "'"};
    if (!args.empty()) return Unexpected{name + " takes no arguments"};
    return json{{"cmd", name}};
}

}  // namespace treadmill::api
