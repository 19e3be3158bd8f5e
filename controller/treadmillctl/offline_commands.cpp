// The offline command table, and `programs`: every program with its totals.
#include "controller/treadmillctl/offline_commands.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/json_text.hpp"
#include "controller/treadmillctl/commands.hpp"
#include "controller/treadmillctl/program_source.hpp"
#include "programs/timeline_render.hpp"

namespace treadmill::ctl {

namespace {

constexpr Command kOfflineCommands[] = {
    {"programs", "", "list the built-in programs and those of the program directories",
     run_programs},
    {"show", "PROGRAM|FILE [--profile FILE] [--pace K=V]... [--seed N] [--svg FILE]",
     "print a program's expanded timeline (--json: as JSON; --svg: draw its profile)", run_show},
    {"validate", "FILE...", "check program files; every error and warning, GCC style",
     run_validate},
};

// One row of the listing: a program loaded with its own references (or estimated without).
struct Listing {
    ProgramText source;
    std::optional<programs::Timeline> timeline;
    bool estimate = false;  // references missing: speeds nominal, totals estimated
    std::size_t errors = 0;
};

Listing list_one(ProgramText source, const programs::MachineLimits& limits) {
    Listing listing{std::move(source), std::nullopt, false, 0};
    programs::ResolveOptions options;
    options.limits = limits;
    auto result =
        load_for_display(listing.source.yaml, listing.source.file, listing.source.id, options);
    if (!result.timeline) {
        options.require_references = false;
        result =
            load_for_display(listing.source.yaml, listing.source.file, listing.source.id, options);
        listing.estimate = result.timeline.has_value();
    }
    for (const auto& d : result.diagnostics)
        if (d.severity == programs::Diagnostic::Severity::error) ++listing.errors;
    listing.timeline = std::move(result.timeline);
    return listing;
}

std::string join_tags(const std::vector<std::string>& tags) {
    std::string text;
    for (const auto& tag : tags) text += (text.empty() ? "" : ", ") + tag;
    return text;
}

std::string format_row(const std::string& id, const std::string& name, const std::string& time,
                       const std::string& distance, const std::string& tags) {
    char line[512];
    std::snprintf(line, sizeof line, "%-16s %-38s %9s %9s  %s", id.c_str(), name.c_str(),
                  time.c_str(), distance.c_str(), tags.c_str());
    return line;
}

std::string text_row(const Listing& l) {
    const auto& t = l.timeline;
    const std::string mark = l.estimate ? "~" : "";
    const std::string name = t ? t->name : "(invalid: run treadmillctl validate)";
    const std::string time = t ? mark + programs::render_clock(t->total_s) : "-";
    const std::string distance = t ? mark + programs::render_distance(t->total_m) : "-";
    const std::string tags = t ? join_tags(t->tags) : "";
    std::string text = format_row(l.source.id, name, time, distance, tags);
    if (!l.source.builtin) text += "  [" + l.source.file + "]";
    return text + "\n";
}

nlohmann::ordered_json json_row(const Listing& l) {
    nlohmann::ordered_json row = {{"id", l.source.id},
                                  {"source", l.source.builtin ? "builtin" : l.source.file}};
    if (!l.timeline) {
        row["errors"] = l.errors;
        return row;
    }
    row["name"] = l.timeline->name;
    row["tags"] = l.timeline->tags;
    row["total_s"] = l.timeline->total_s;
    row["total_m"] = l.timeline->total_m;
    row["estimate"] = l.estimate;
    return row;
}

}  // namespace

std::span<const Command> offline_commands() {
    return kOfflineCommands;
}

programs::MachineLimits machine_limits(const Invocation&) {
    return {};
}

programs::LoadResult load_for_display(const std::string& yaml, const std::string& file,
                                      const std::string& id, programs::ResolveOptions options) {
    auto result = programs::load_program(yaml, file, id, options);
    if (!result.timeline) return result;
    const auto& needs = result.timeline->requires_;
    if (programs::unmet_requirements(needs, options.limits).empty()) return result;
    options.limits.max_speed_kmh =
        std::max(options.limits.max_speed_kmh, needs.max_speed_kmh.value_or(0));
    options.limits.max_incline_pct =
        std::max(options.limits.max_incline_pct, needs.max_incline_pct.value_or(0));
    auto lifted = programs::load_program(yaml, file, id, options);
    // Keep the warning that the machine will refuse to start it.
    for (auto& d : result.diagnostics)
        if (d.message.find("requires:") != std::string::npos)
            lifted.diagnostics.insert(lifted.diagnostics.begin(), d);
    return lifted;
}

void print_diagnostics(const programs::Diagnostics& diagnostics) {
    for (const auto& d : diagnostics) std::cerr << d.to_string() << "\n";
}

int usage_error(const std::string& command, const std::string& message) {
    std::cerr << "treadmillctl " << command << ": " << message << "\n";
    return kExitUsage;
}

int run_programs(const Invocation& invocation) {
    if (!invocation.args.empty()) return usage_error("programs", "takes no arguments");
    std::vector<std::string> problems;
    auto sources = list_programs(invocation.programs_dirs, problems);
    for (const auto& problem : problems) std::cerr << problem << "\n";
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    std::string table;
    for (auto& source : sources) {
        const Listing listing = list_one(std::move(source), machine_limits(invocation));
        if (invocation.json)
            rows.push_back(json_row(listing));
        else
            table += text_row(listing);
    }
    if (invocation.json)
        std::cout << json_text(nlohmann::ordered_json{{"programs", rows}}, 2) << "\n";
    else
        std::cout << format_row("id", "name", "time", "distance", "tags") << "\n" << table;
    return problems.empty() ? kExitOk : kExitFailure;
}

}  // namespace treadmill::ctl
