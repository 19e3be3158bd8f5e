// The command line of treadmillctl: global options (accepted before or after the command),
// the command name and the command's own arguments, plus a small parser for those.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace treadmill::ctl {

// Exit codes of every command.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct Invocation {
    std::string command;            // empty when none was given
    std::vector<std::string> args;  // the command's own arguments, in order
    bool json = false;              // --json
    bool help = false;              // --help / -h
    std::string socket;             // --socket PATH, else $TREADMILL_SOCKET, else the default
    std::vector<std::string> programs_dirs;  // --programs-dir DIR (repeatable)
};

// Parses argv (without argv[0]). On a usage error returns nullopt and sets `error`.
std::optional<Invocation> parse_invocation(const std::vector<std::string>& argv,
                                           const char* socket_env, std::string& error);

// A command's arguments split into positionals and options (`--name value`, `--name=value`,
// or flags without a value). Options may repeat.
struct CommandArgs {
    std::vector<std::string> positionals;
    std::multimap<std::string, std::string> options;

    std::optional<std::string> last(const std::string& name) const;
    std::vector<std::string> all(const std::string& name) const;
    bool has(const std::string& name) const { return options.count(name) > 0; }
};

// Splits `args`; `valued` and `flags` list the accepted option names (with the leading "--").
// On an unknown option or a missing value returns nullopt and sets `error`.
std::optional<CommandArgs> parse_command_args(const std::vector<std::string>& args,
                                              const std::set<std::string>& valued,
                                              const std::set<std::string>& flags,
                                              std::string& error);

}  // namespace treadmill::ctl
