// Runs one of treadmillctl's daemon-facing commands (see ctl_requests.hpp) against the
// daemon's socket and prints the outcome. Exit codes: 0 success, 1 failure, 2 usage.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace treadmill::api {

struct CtlContext {
    std::string socket;  // --socket, $TREADMILL_SOCKET, or the default
    bool json = false;   // --json: print the daemon's replies as JSON lines
    std::ostream& out;
    std::ostream& err;
    bool terminal = false;  // stdout is a terminal: `watch` redraws in place
};

int run_daemon_command(const std::string& name, const std::vector<std::string>& args,
                       const CtlContext& context);

}  // namespace treadmill::api
