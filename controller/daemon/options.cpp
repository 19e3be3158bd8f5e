#include "controller/daemon/options.hpp"

#include <charconv>
#include <cmath>
#include <iostream>
#include <string_view>

namespace treadmill::daemon {

namespace {

constexpr const char* kUsage =
    "usage: treadmilld [--config FILE] [--socket PATH] [--time-scale N]\n"
    "  --config FILE     configuration (default /etc/treadmilld/treadmilld.yaml)\n"
    "  --socket PATH     control socket, overrides api.socket\n"
    "  --time-scale N    workout clock runs N times the wall clock (embedded simulator only)\n";

std::optional<CommandLine> usage_error(const std::string& message) {
    std::cerr << "treadmilld: " << message << "\n" << kUsage;
    return std::nullopt;
}

bool parse_scale(std::string_view text, double& out) {
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && ptr == text.data() + text.size() && std::isfinite(out) && out > 0 &&
           out <= 1000;
}

}  // namespace

std::optional<CommandLine> parse_options(int argc, char** argv) {
    CommandLine line;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") return usage_error("help");
        if (i + 1 >= argc)
            return usage_error("unknown option or missing value: " + std::string(arg));
        const std::string value = argv[++i];
        if (arg == "--config") {
            line.config_file = value;
        } else if (arg == "--socket") {
            line.socket = value;
        } else if (arg == "--time-scale") {
            if (!parse_scale(value, line.time_scale))
                return usage_error("--time-scale takes a number in (0, 1000]");
        } else {
            return usage_error("unknown option " + std::string(arg));
        }
    }
    return line;
}

}  // namespace treadmill::daemon
