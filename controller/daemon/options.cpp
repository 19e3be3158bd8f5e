#include "controller/daemon/options.hpp"

#include <charconv>
#include <cmath>
#include <iostream>
#include <string_view>

namespace treadmill::daemon {

namespace {

constexpr const char* kUsage =
    "usage: treadmilld [--config FILE] [--socket PATH] [--time-scale N]\n"
    "       treadmilld --check-config FILE\n"
    "       treadmilld --probe [--config FILE] [--scan FIRST-LAST]\n"
    "       treadmilld --help\n"
    "  --config FILE        configuration (default /etc/treadmilld/treadmilld.yaml)\n"
    "  --socket PATH        control socket, overrides api.socket\n"
    "  --time-scale N       workout clock runs N times the wall clock (embedded simulator only)\n"
    "  --check-config FILE  validate FILE, print each error as FILE:LINE:COL, exit 0 or 1\n"
    "  --probe              read the boards (never writes) and report what answers, then exit\n"
    "  --scan FIRST-LAST    with --probe: try every unit id FIRST..LAST (1..247)\n"
    "  --help, -h           print this help and exit\n";

std::optional<CommandLine> usage_error(const std::string& message) {
    std::cerr << "treadmilld: " << message << "\n" << kUsage;
    return std::nullopt;
}

bool parse_scale(std::string_view text, double& out) {
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && ptr == text.data() + text.size() && std::isfinite(out) && out > 0 &&
           out <= 1000;
}

bool parse_unit(std::string_view text, int& out) {
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && ptr == text.data() + text.size() && out >= 1 && out <= 247;
}

// "FIRST-LAST" with 1 <= FIRST <= LAST <= 247 (Modbus unit ids).
std::optional<std::pair<int, int>> parse_scan(std::string_view text) {
    const auto dash = text.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    int first = 0, last = 0;
    if (!parse_unit(text.substr(0, dash), first) || !parse_unit(text.substr(dash + 1), last) ||
        first > last)
        return std::nullopt;
    return std::pair{first, last};
}

// Checks that the options given fit the action chosen.
std::optional<CommandLine> check_combination(const CommandLine& line, bool scale_given) {
    using Action = CommandLine::Action;
    if (line.scan && line.action != Action::probe) return usage_error("--scan needs --probe");
    if (line.action == Action::check_config && (line.socket || scale_given))
        return usage_error("--check-config takes no other option");
    if (line.action == Action::probe && (line.socket || scale_given))
        return usage_error("--probe takes only --config and --scan");
    return line;
}

}  // namespace

const char* usage_text() {
    return kUsage;
}

std::optional<CommandLine> parse_options(int argc, char** argv) {
    using Action = CommandLine::Action;
    CommandLine line;
    bool scale_given = false;
    bool config_given = false;
    std::string checked_file;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            line.action = Action::help;
            return line;
        }
        if (arg == "--probe") {
            if (line.action == Action::check_config)
                return usage_error("--probe and --check-config exclude each other");
            line.action = Action::probe;
            continue;
        }
        if (i + 1 >= argc)
            return usage_error("unknown option or missing value: " + std::string(arg));
        const std::string value = argv[++i];
        if (arg == "--config") {
            line.config_file = value;
            config_given = true;
        } else if (arg == "--check-config") {
            if (line.action == Action::probe)
                return usage_error("--probe and --check-config exclude each other");
            line.action = Action::check_config;
            checked_file = value;
        } else if (arg == "--socket") {
            line.socket = value;
        } else if (arg == "--time-scale") {
            if (!parse_scale(value, line.time_scale))
                return usage_error("--time-scale takes a number in (0, 1000]");
            scale_given = true;
        } else if (arg == "--scan") {
            line.scan = parse_scan(value);
            if (!line.scan) return usage_error("--scan takes FIRST-LAST, unit ids 1..247");
        } else {
            return usage_error("unknown option " + std::string(arg));
        }
    }
    if (line.action == Action::check_config) {
        if (config_given) return usage_error("--check-config takes no other option");
        line.config_file = checked_file;
    }
    return check_combination(line, scale_given);
}

}  // namespace treadmill::daemon
