#include "controller/api/program_catalog.hpp"

#include <sys/stat.h>

#include <filesystem>

#include "common/json_text.hpp"
#include "programs/builtin_library.hpp"

namespace treadmill::api {

namespace fs = std::filesystem;

ProgramCatalog::ProgramCatalog(std::vector<std::string> dirs,
                               std::optional<programs::Profile> profile,
                               programs::MachineLimits limits, FileReader read)
    : dirs_(std::move(dirs)),
      profile_(std::move(profile)),
      limits_(limits),
      read_(read ? std::move(read) : FileReader(programs::read_text_file)) {}

programs::ResolveOptions ProgramCatalog::options(
    const std::map<std::string, std::string>& paces,
    const std::optional<programs::Profile>& profile) const {
    programs::ResolveOptions o;
    o.profile = profile ? &*profile : nullptr;
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

// The program's list fields: {"name","tags"} (null and [] when it does not load), without
// requiring references.
nlohmann::json program_facts(std::string_view yaml, std::string_view id,
                             const programs::MachineLimits& limits) {
    programs::ResolveOptions o;
    o.limits = limits;
    o.require_references = false;
    const auto loaded = programs::load_program(yaml, id, id, o);
    if (!loaded.timeline) return {{"name", nullptr}, {"tags", nlohmann::json::array()}};
    return {{"name", loaded.timeline->name}, {"tags", loaded.timeline->tags}};
}

const nlohmann::json kNotLoaded = {{"name", nullptr}, {"tags", nlohmann::json::array()}};

std::int64_t nanoseconds(const timespec& t) {
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

}  // namespace

const std::map<std::string, nlohmann::json>& ProgramCatalog::builtin_entries() const {
    if (!builtins_) {
        builtins_.emplace();
        for (const auto& builtin : programs::builtin_programs()) {
            const auto facts = program_facts(builtin.yaml, builtin.id, limits_);
            (*builtins_)[std::string(builtin.id)] = {{"id", builtin.id},
                                                     {"name", facts["name"]},
                                                     {"tags", facts["tags"]},
                                                     {"source", "builtin"}};
        }
    }
    return *builtins_;
}

nlohmann::json ProgramCatalog::file_facts(const std::string& path, const std::string& id,
                                          std::map<std::string, CachedFacts>& seen) const {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return kNotLoaded;
    const FileStamp stamp{static_cast<std::uint64_t>(st.st_ino),
                          static_cast<std::uint64_t>(st.st_size), nanoseconds(st.st_mtim),
                          nanoseconds(st.st_ctim)};
    const auto cached = facts_.find(path);
    if (cached != facts_.end() && cached->second.stamp == stamp) {
        seen[path] = cached->second;
    } else {  // stat before read: a change while reading shows at the next call
        programs::Diagnostics ignored;
        const auto text = read_(path, ignored);
        seen[path] = {stamp, text ? program_facts(*text, id, limits_) : kNotLoaded};
    }
    return seen[path].facts;
}

nlohmann::json ProgramCatalog::list() const {
    std::lock_guard lock(mutex_);
    std::map<std::string, nlohmann::json> found = builtin_entries();
    std::map<std::string, CachedFacts> seen;  // the cache after this call: the files seen now
    for (auto dir = dirs_.rbegin(); dir != dirs_.rend(); ++dir) {  // the first dir wins
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(*dir, ec)) {
            if (entry.path().extension() != ".yaml") continue;
            const std::string id = entry.path().stem().string();
            const std::string path = entry.path().string();
            const auto facts = file_facts(path, id, seen);
            found[id] = {
                {"id", id}, {"name", facts["name"]}, {"tags", facts["tags"]}, {"source", path}};
        }
    }
    facts_ = std::move(seen);
    nlohmann::json list = nlohmann::json::array();
    for (auto& [id, item] : found) list.push_back(std::move(item));
    return list;
}

std::optional<programs::Profile> ProgramCatalog::profile_for_load(
    programs::Diagnostics& diagnostics) const {
    if (profile_location_.path.empty()) return profile_;
    const std::string path = profile_location_.to_read();
    std::error_code ec;
    if (!fs::exists(path, ec)) return std::nullopt;
    auto loaded = programs::load_profile_file(path);
    for (auto& d : loaded.diagnostics) {
        if (d.severity == programs::Diagnostic::Severity::error) diagnostics.push_back(d);
    }
    return std::move(loaded.profile);
}

// The result with what it was run from: `yaml` as read, the profile's references and the
// overrides (built here, on the worker, so the loop and the history only pass a pointer on).
programs::LoadResult ProgramCatalog::with_source(
    programs::LoadResult result, std::string_view yaml,
    const std::map<std::string, std::string>& paces,
    const std::optional<programs::Profile>& profile) const {
    if (!result.timeline) return result;
    nlohmann::json references = nlohmann::json::object();
    if (profile) {
        for (const auto& [name, definition] : profile->paces) references[name] = definition.text;
    }
    const nlohmann::json used = {
        {"profile", profile ? nlohmann::json(profile->file) : nlohmann::json(nullptr)},
        {"references", std::move(references)},
        {"overrides", paces}};
    result.timeline->source =
        std::make_shared<const RunSource>(RunSource{std::string(yaml), json_text(used)});
    return result;
}

// Reads the profile (when it is read at each load), expands the program against it and
// records what it was run from.
programs::LoadResult ProgramCatalog::resolve(
    std::string_view yaml, std::string_view file, std::string_view id,
    const std::map<std::string, std::string>& paces) const {
    programs::LoadResult failed;
    const auto profile = profile_for_load(failed.diagnostics);
    if (!failed.diagnostics.empty()) return failed;
    return with_source(programs::load_program(yaml, file, id, options(paces, profile)), yaml, paces,
                       profile);
}

programs::LoadResult ProgramCatalog::load(const std::string& id,
                                          const std::map<std::string, std::string>& paces) const {
    if (const auto file = file_for(id)) {
        programs::LoadResult result;
        const auto text = read_(*file, result.diagnostics);
        if (!text) return result;
        return resolve(*text, *file, programs::program_id_from_path(*file), paces);
    }
    if (const auto* builtin = programs::find_builtin(id)) {
        return resolve(builtin->yaml, builtin->id, builtin->id, paces);
    }
    programs::LoadResult unknown;
    unknown.diagnostics.push_back(
        {programs::Diagnostic::Severity::error, id, 0, 0, "no program called '" + id + "'"});
    return unknown;
}

programs::LoadResult ProgramCatalog::load_text(
    const std::string& yaml, const std::map<std::string, std::string>& paces) const {
    return resolve(yaml, "<request>", "request", paces);
}

programs::Diagnostics ProgramCatalog::check_text(const std::string& yaml,
                                                 const std::string& file) const {
    programs::ResolveOptions o = options({}, profile_);
    o.require_references = false;
    return programs::load_program(yaml, file, programs::program_id_from_path(file), o).diagnostics;
}

std::optional<std::string> ProgramCatalog::source_of(const std::string& id) const {
    if (auto file = file_for(id)) return file;
    if (programs::find_builtin(id) != nullptr) return std::string("builtin");
    return std::nullopt;
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
