// The commands of treadmillctl. Each is a function of the parsed invocation returning the exit
// code (kExitOk, kExitFailure, kExitUsage); main() looks the name up in command_table().
#pragma once

#include <span>
#include <string_view>

#include "controller/treadmillctl/cli_args.hpp"

namespace treadmill::ctl {

struct Command {
    std::string_view name;
    std::string_view usage;    // arguments after the name, for the help text
    std::string_view summary;  // one line
    int (*run)(const Invocation&);
};

// Commands that work without a daemon: programs, show, validate.
std::span<const Command> offline_commands();

// Commands that talk to treadmilld over its control socket (start, pause, ..., watch, sim).
std::span<const Command> online_commands();

// The history's commands, read through the daemon (history, bests).
std::span<const Command> history_commands();

// Every command, in the order the help lists them. Add a group by appending its table here.
std::span<const Command> command_table();

// The command called `name`, or nullptr.
const Command* find_command(std::string_view name);

// The help text (every command with its usage and summary).
void print_usage(bool to_stderr);

}  // namespace treadmill::ctl
