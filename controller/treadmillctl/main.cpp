// treadmillctl: the client of treadmilld. `programs`, `show` and `validate` work offline.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "controller/treadmillctl/cli_args.hpp"
#include "controller/treadmillctl/commands.hpp"

int main(int argc, char** argv) {
    using namespace treadmill::ctl;
    const std::vector<std::string> args(argv + 1, argv + argc);
    std::string error;
    const auto invocation = parse_invocation(args, std::getenv("TREADMILL_SOCKET"), error);
    if (!invocation) {
        std::cerr << "treadmillctl: " << error << "\n";
        print_usage(true);
        return kExitUsage;
    }
    if (invocation->command.empty() || invocation->command == "help") {
        print_usage(!invocation->help && invocation->command.empty());
        return invocation->help || invocation->command == "help" ? kExitOk : kExitUsage;
    }
    const Command* command = find_command(invocation->command);
    if (!command) {
        std::cerr << "treadmillctl: unknown command '" << invocation->command << "'\n";
        print_usage(true);
        return kExitUsage;
    }
    return command->run(*invocation);
}
