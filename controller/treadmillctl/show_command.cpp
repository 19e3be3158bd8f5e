// `show PROGRAM|FILE`: the expanded timeline as a table, as JSON (--json), or drawn (--svg).
#include <charconv>
#include <fstream>
#include <iostream>
#include <random>

#include "controller/treadmillctl/commands.hpp"
#include "controller/treadmillctl/offline_commands.hpp"
#include "controller/treadmillctl/program_source.hpp"
#include "programs/timeline_render.hpp"

namespace treadmill::ctl {

namespace {

// Fills the options from --profile, --pace K=V and --seed N; false (and `error`) on bad usage.
bool resolve_options(const CommandArgs& args, std::optional<programs::Profile>& profile,
                     programs::ResolveOptions& options, std::string& error) {
    for (const auto& pace : args.all("--pace")) {
        const auto eq = pace.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == pace.size()) {
            error = "--pace takes NAME=VALUE (e.g. 5k=4:10/km), not '" + pace + "'";
            return false;
        }
        options.pace_overrides[pace.substr(0, eq)] = pace.substr(eq + 1);
    }
    if (const auto seed = args.last("--seed")) {
        std::uint64_t value = 0;
        const auto [end, ec] = std::from_chars(seed->data(), seed->data() + seed->size(), value);
        if (ec != std::errc{} || end != seed->data() + seed->size()) {
            error = "--seed takes a non-negative integer, not '" + *seed + "'";
            return false;
        }
        options.drawn_seed = value;
    } else {
        // An unseeded fartlek draws a new seed, shown with the timeline.
        std::random_device device;
        options.drawn_seed = (std::uint64_t{device()} << 32) | device();
    }
    if (const auto path = args.last("--profile")) {
        auto loaded = programs::load_profile_file(*path);
        print_diagnostics(loaded.diagnostics);
        if (!loaded.profile) return false;
        profile = std::move(loaded.profile);
    }
    return true;
}

bool write_svg(const std::string& path, const programs::Timeline& timeline) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << programs::render_svg(timeline);
    out.close();
    if (!out) std::cerr << path << ": error: cannot write the SVG file\n";
    return static_cast<bool>(out);
}

}  // namespace

int run_show(const Invocation& invocation) {
    std::string error;
    const auto args =
        parse_command_args(invocation.args, {"--profile", "--pace", "--seed", "--svg"}, {}, error);
    if (!args) return usage_error("show", error);
    if (args->positionals.size() != 1) return usage_error("show", "needs one PROGRAM or FILE");
    std::optional<programs::Profile> profile;
    programs::ResolveOptions options;
    options.limits = machine_limits(invocation);
    if (!resolve_options(*args, profile, options, error))
        return error.empty() ? kExitFailure : usage_error("show", error);
    options.profile = profile ? &*profile : nullptr;
    const auto source = find_program(args->positionals.front(), invocation.programs_dirs, error);
    if (!source) {
        std::cerr << "treadmillctl show: " << error << "\n";
        return kExitFailure;
    }
    const auto result = load_for_display(source->yaml, source->file, source->id, options);
    print_diagnostics(result.diagnostics);
    if (!result.timeline) return kExitFailure;
    if (const auto svg = args->last("--svg"); svg && !write_svg(*svg, *result.timeline))
        return kExitFailure;
    std::cout << (invocation.json ? programs::render_json(*result.timeline)
                                  : programs::render_table(*result.timeline));
    return kExitOk;
}

}  // namespace treadmill::ctl
