// Loads /etc/treadmilld/treadmilld.yaml into a Config: all errors listed, each located
// "file:line:col: error: ..." (1-based); environment problems are warnings.
#pragma once

#include <string>
#include <string_view>

#include "controller/daemon/config.hpp"
#include "programs/diagnostic.hpp"

namespace treadmill::daemon {

struct ConfigLoad {
    Config config;  // defaults where the file says nothing (meaningless when !ok())
    programs::Diagnostics diagnostics;
    bool ok() const { return !programs::has_errors(diagnostics); }
};

// Parses the YAML text of a config; `file` names it in messages.
ConfigLoad parse_config(std::string_view text, const std::string& file);

// Reads and parses `path`. An absent file is an error when it was named explicitly
// (--config), and means "all defaults" (the embedded simulator) otherwise.
ConfigLoad load_config(const std::string& path, bool named_explicitly);

// Warnings, not errors: api.group that does not exist, a profile file that is absent.
void check_environment(const Config& config, const std::string& file,
                       programs::Diagnostics& diagnostics);

}  // namespace treadmill::daemon
