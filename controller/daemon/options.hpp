// treadmilld's command line: run (--config, --socket, --time-scale), --check-config FILE,
// --probe [--scan FIRST-LAST], --help.
#pragma once

#include <optional>
#include <string>

namespace treadmill::daemon {

struct CommandLine {
    enum class Action { run, help, check_config, probe };
    Action action = Action::run;
    std::optional<std::string> config_file;
    std::optional<std::string> socket;
    double time_scale = 1.0;
    std::optional<std::pair<int, int>> scan;  // --probe --scan FIRST-LAST (unit ids)
};

// The usage text that --help prints to stdout.
const char* usage_text();

// Parsed options; nullopt after printing a usage error to stderr.
std::optional<CommandLine> parse_options(int argc, char** argv);

}  // namespace treadmill::daemon
