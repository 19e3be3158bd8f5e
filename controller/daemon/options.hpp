// treadmilld's command line: --config FILE, --time-scale N, --socket PATH, --help.
#pragma once

#include <optional>
#include <string>

namespace treadmill::daemon {

struct CommandLine {
    std::optional<std::string> config_file;
    std::optional<std::string> socket;
    double time_scale = 1.0;
};

// Parsed options; nullopt after printing a usage error (or the help) to stderr.
std::optional<CommandLine> parse_options(int argc, char** argv);

}  // namespace treadmill::daemon
