// The commands that work without a daemon (programs, show, validate), one file each.
#pragma once

#include <string>

#include "controller/treadmillctl/cli_args.hpp"
#include "programs/diagnostic.hpp"
#include "programs/program_loader.hpp"

namespace treadmill::ctl {

int run_programs(const Invocation& invocation);
int run_show(const Invocation& invocation);
int run_validate(const Invocation& invocation);

// The machine limits programs are checked against (the config's, once it is read; for now the
// documented defaults).
programs::MachineLimits machine_limits(const Invocation& invocation);

// Loads a program for display: `requires:` is never clamped, so when the machine falls short of
// it the program is expanded as on a machine that meets it (the start is what gets refused).
programs::LoadResult load_for_display(const std::string& yaml, const std::string& file,
                                      const std::string& id, programs::ResolveOptions options);

// Prints each diagnostic GCC style on stderr.
void print_diagnostics(const programs::Diagnostics& diagnostics);

// "treadmillctl COMMAND: message" on stderr; returns kExitUsage.
int usage_error(const std::string& command, const std::string& message);

}  // namespace treadmill::ctl
