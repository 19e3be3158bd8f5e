#include "controller/api/program_catalog.hpp"

#include <filesystem>

#include "programs/builtin_library.hpp"

namespace treadmill::api {

namespace fs = std::filesystem;

ProgramCatalog::ProgramCatalog(std::vector<std::string> dirs,
                               std::optional<programs::Profile> profile,
                               programs::MachineLimits limits)
    : dirs_(std::move(dirs)), profile_(std::move(profile)), limits_(limits) {}

programs::ResolveOptions ProgramCatalog::options(
    const std::map<std::string, std::string>& paces) const {
    programs::ResolveOptions o;
    o.profile = profile_ ? &*profile_ : nullptr;
    o.pace_overrides = paces;
    o.limits = limits_;
    return o;
}

std::optional<std::string> ProgramCatalog::file_for(const std::string& id) const {
    if (id.empty() || id.find('/') != std::string::npos || id.front() == '.') return std::nullopt;
    for (const auto& dir : dirs_) {
        std::error_code ec;
        const fs::path path = fs::path(dir) / (id + ".yaml");
        if (fs::is_regular_file(path, ec)) return path.string();
    }
    return std::nullopt;
}

namespace {

// The program's name (null when it does not load), without requiring references.
nlohmann::json program_name(std::string_view yaml, std::string_view id,
                            const programs::MachineLimits& limits) {
    programs::ResolveOptions o;
    o.limits = limits;
    o.require_references = false;
    const auto loaded = programs::load_program(yaml, id, id, o);
    return loaded.timeline ? nlohmann::json(loaded.timeline->name) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json ProgramCatalog::list() const {
    std::map<std::string, nlohmann::json> found;
    for (const auto& builtin : programs::builtin_programs()) {
        found[std::string(builtin.id)] = {{"id", builtin.id},
                                          {"name", program_name(builtin.yaml, builtin.id, limits_)},
                                          {"source", "builtin"}};
    }
    for (auto dir = dirs_.rbegin(); dir != dirs_.rend(); ++dir) {  // the first dir wins
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(*dir, ec)) {
            if (entry.path().extension() != ".yaml") continue;
            const std::string id = entry.path().stem().string();
            programs::Diagnostics ignored;
            const auto text = programs::read_text_file(entry.path().string(), ignored);
            found[id] = {{"id", id},
                         {"name", text ? program_name(*text, id, limits_) : nullptr},
                         {"source", entry.path().string()}};
        }
    }
    nlohmann::json list = nlohmann::json::array();
    for (auto& [id, item] : found) list.push_back(std::move(item));
    return list;
}

programs::LoadResult ProgramCatalog::load(const std::string& id,
                                          const std::map<std::string, std::string>& paces) const {
    if (const auto file = file_for(id)) return programs::load_program_file(*file, options(paces));
    if (const auto* builtin = programs::find_builtin(id)) {
        return programs::load_program(builtin->yaml, builtin->id, builtin->id, options(paces));
    }
    programs::LoadResult unknown;
    unknown.diagnostics.push_back(
        {programs::Diagnostic::Severity::error, id, 0, 0, "no program called '" + id + "'"});
    return unknown;
}

programs::LoadResult ProgramCatalog::load_text(
    const std::string& yaml, const std::map<std::string, std::string>& paces) const {
    return programs::load_program(yaml, "<request>", "request", options(paces));
}

std::string error_text(const programs::Diagnostics& diagnostics) {
    std::string text;
    for (const auto& d : diagnostics) {
        if (d.severity != programs::Diagnostic::Severity::error) continue;
        text += (text.empty() ? "" : "\n") + d.to_string();
    }
    return text;
}

}  // namespace treadmill::api
