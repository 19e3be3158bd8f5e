// The daemon-facing commands of treadmillctl (start, pause, ..., watch, sim): each runs through
// the control API client in controller/api/.
#include <unistd.h>

#include <iostream>
#include <vector>

#include "controller/api/ctl_requests.hpp"
#include "controller/api/ctl_run.hpp"
#include "controller/treadmillctl/commands.hpp"

namespace treadmill::ctl {

namespace {

// The one adapter every daemon command shares.
int run_online(const Invocation& inv) {
    const api::CtlContext context{inv.socket, inv.json, std::cout, std::cerr,
                                  isatty(STDOUT_FILENO) != 0};
    return api::run_daemon_command(inv.command, inv.args, context);
}

std::vector<Command> build_online() {
    std::vector<Command> table;
    for (const auto& info : api::daemon_commands())
        table.push_back(Command{info.name, info.usage, info.summary, &run_online});
    return table;
}

}  // namespace

std::span<const Command> online_commands() {
    static const std::vector<Command> table = build_online();
    return table;
}

}  // namespace treadmill::ctl
