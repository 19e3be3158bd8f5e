// `validate FILE...`: every error and warning of each file, GCC style; exit 1 on any error.
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/json_text.hpp"

#include "controller/treadmillctl/commands.hpp"
#include "controller/treadmillctl/offline_commands.hpp"

namespace treadmill::ctl {

namespace {

struct Counts {
    std::size_t errors = 0, warnings = 0;
};

Counts count(const programs::Diagnostics& diagnostics) {
    Counts c;
    for (const auto& d : diagnostics)
        (d.severity == programs::Diagnostic::Severity::error ? c.errors : c.warnings)++;
    return c;
}

std::string plural(std::size_t n, const std::string& word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

nlohmann::ordered_json file_json(const std::string& file, const programs::Diagnostics& ds) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& d : ds)
        list.push_back({{"severity",
                         d.severity == programs::Diagnostic::Severity::error ? "error" : "warning"},
                        {"line", d.line},
                        {"column", d.column},
                        {"message", d.message},
                        {"text", d.to_string()}});
    const Counts c = count(ds);
    return {{"file", file},
            {"ok", c.errors == 0},
            {"errors", c.errors},
            {"warnings", c.warnings},
            {"diagnostics", std::move(list)}};
}

}  // namespace

int run_validate(const Invocation& invocation) {
    std::string error;
    const auto args = parse_command_args(invocation.args, {}, {}, error);
    if (!args) return usage_error("validate", error);
    if (args->positionals.empty()) return usage_error("validate", "needs at least one FILE");
    bool any_error = false;
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const auto& file : args->positionals) {
        const auto diagnostics = programs::validate_program_file(file, machine_limits(invocation));
        const Counts c = count(diagnostics);
        any_error = any_error || c.errors > 0;
        print_diagnostics(diagnostics);
        if (invocation.json)
            files.push_back(file_json(file, diagnostics));
        else if (c.errors == 0 && c.warnings == 0)
            std::cout << file << ": ok\n";
        else
            std::cout << file << ": " << plural(c.errors, "error") << ", "
                      << plural(c.warnings, "warning") << "\n";
    }
    if (invocation.json)
        std::cout << json_text(nlohmann::ordered_json{{"ok", !any_error}, {"files", files}}, 2)
                  << "\n";
    return any_error ? kExitFailure : kExitOk;
}

}  // namespace treadmill::ctl
