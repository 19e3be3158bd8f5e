#include <iostream>
#include <vector>

#include "controller/treadmillctl/commands.hpp"

namespace treadmill::ctl {

namespace {

std::vector<Command> build_table() {
    std::vector<Command> table;
    for (const auto& group : {offline_commands(), online_commands(), history_commands()})
        table.insert(table.end(), group.begin(), group.end());
    return table;
}

}  // namespace

std::span<const Command> command_table() {
    static const std::vector<Command> table = build_table();
    return table;
}

const Command* find_command(std::string_view name) {
    for (const auto& command : command_table())
        if (command.name == name) return &command;
    return nullptr;
}

void print_usage(bool to_stderr) {
    std::ostream& out = to_stderr ? std::cerr : std::cout;
    out << "usage: treadmillctl [--socket PATH] [--json] [--programs-dir DIR]... COMMAND [ARGS]\n"
           "Global options may also follow the command. The socket is --socket, else\n"
           "$TREADMILL_SOCKET, else /run/treadmilld/control.sock. Exit status: 0 success,\n"
           "1 failure, 2 usage error.\n\ncommands:\n";
    for (const auto& command : command_table()) {
        std::string head = "  " + std::string(command.name);
        if (!command.usage.empty()) head += " " + std::string(command.usage);
        out << head << "\n      " << command.summary << "\n";
    }
}

}  // namespace treadmill::ctl
