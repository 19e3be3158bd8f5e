#include "controller/api/program_catalog.hpp"

#include <sys/stat.h>

#include <cmath>
#include <filesystem>

#include "common/json_text.hpp"
#include "controller/api/program_chart.hpp"
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

std::int64_t nanoseconds(const timespec& t) {
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

// Durations and distances to the millimetre and millisecond, as `show` reports them.
double milli(double value) {
    return std::round(value * 1000.0) / 1000.0;
}

// The first error, cut to `limit` bytes (at a UTF-8 character's start).
std::string first_error(const programs::Diagnostics& diagnostics, std::size_t limit) {
    std::string text = error_text(diagnostics);
    text = text.substr(0, text.find('\n'));
    if (text.empty()) text = "the program does not load";
    if (text.size() <= limit) return text;
    std::size_t cut = limit - 3;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
    return text.substr(0, cut) + "...";
}

nlohmann::json not_loaded(const std::string& error) {
    return {{"name", nullptr},       {"tags", nlohmann::json::array()},
            {"duration_s", nullptr}, {"distance_m", nullptr},
            {"chart", nullptr},      {"error", error}};
}

}  // namespace

void ProgramCatalog::refresh_listed_profile() const {
    std::string key = "given";  // the profile given at construction
    std::optional<std::string> text;
    std::string path;
    if (!profile_location_.path.empty()) {
        path = profile_location_.to_read();
        std::error_code ec;
        programs::Diagnostics unreadable;
        text = fs::exists(path, ec) ? programs::read_text_file(path, unreadable) : std::nullopt;
        key = text ? "file\n" + path + "\n" + *text : "none";
        if (!text && !unreadable.empty()) key = "unreadable\n" + error_text(unreadable);
    }
    if (listed_profile_key_ == key) return;
    listed_profile_key_ = key;
    builtins_.reset();
    facts_.clear();
    listed_profile_errors_.clear();
    if (profile_location_.path.empty()) {
        listed_profile_ = profile_;
    } else if (text) {
        auto loaded = programs::load_profile(*text, path);
        for (auto& d : loaded.diagnostics)
            if (d.severity == programs::Diagnostic::Severity::error)
                listed_profile_errors_.push_back(d);
        listed_profile_ = listed_profile_errors_.empty() ? std::move(loaded.profile) : std::nullopt;
    } else {
        listed_profile_ = std::nullopt;
        if (key != "none") profile_for_load(listed_profile_errors_);  // the read error, as load
    }
}

nlohmann::json ProgramCatalog::facts_of(std::string_view yaml, std::string_view file,
                                        std::string_view id) const {
    programs::LoadResult loaded;
    if (listed_profile_errors_.empty()) {
        loaded = programs::load_program(yaml, file, id, options({}, listed_profile_));
    } else {
        loaded.diagnostics = listed_profile_errors_;
    }
    if (loaded.timeline) {
        return {{"name", loaded.timeline->name},
                {"tags", loaded.timeline->tags},
                {"duration_s", milli(loaded.timeline->total_s)},
                {"distance_m", milli(loaded.timeline->total_m)},
                {"chart", program_chart(*loaded.timeline)},
                {"error", nullptr}};
    }
    auto facts = not_loaded(first_error(loaded.diagnostics, kMaxListedErrorChars));
    // The name and tags of a program that only lacks a reference (or a valid profile).
    programs::ResolveOptions lenient;
    lenient.limits = limits_;
    lenient.require_references = false;
    const auto named = programs::load_program(yaml, file, id, lenient);
    if (named.timeline) {
        facts["name"] = named.timeline->name;
        facts["tags"] = named.timeline->tags;
    }
    return facts;
}

const std::map<std::string, nlohmann::json>& ProgramCatalog::builtin_entries() const {
    if (!builtins_) {
        builtins_.emplace();
        for (const auto& builtin : programs::builtin_programs()) {
            auto entry = facts_of(builtin.yaml, builtin.id, builtin.id);
            entry["id"] = builtin.id;
            entry["source"] = "builtin";
            (*builtins_)[std::string(builtin.id)] = std::move(entry);
        }
    }
    return *builtins_;
}

nlohmann::json ProgramCatalog::file_facts(const std::string& path, const std::string& id,
                                          std::map<std::string, CachedFacts>& seen) const {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return not_loaded("cannot read " + path);
    const FileStamp stamp{static_cast<std::uint64_t>(st.st_ino),
                          static_cast<std::uint64_t>(st.st_size), nanoseconds(st.st_mtim),
                          nanoseconds(st.st_ctim)};
    const auto cached = facts_.find(path);
    if (cached != facts_.end() && cached->second.stamp == stamp) {
        seen[path] = cached->second;
    } else {  // stat before read: a change while reading shows at the next call
        programs::Diagnostics unreadable;
        const auto text = read_(path, unreadable);
        seen[path] = {stamp, text ? facts_of(*text, path, id)
                                  : not_loaded(first_error(unreadable, kMaxListedErrorChars))};
    }
    return seen[path].facts;
}

nlohmann::json ProgramCatalog::list() const {
    std::lock_guard lock(mutex_);
    refresh_listed_profile();
    std::map<std::string, nlohmann::json> found = builtin_entries();
    std::map<std::string, CachedFacts> seen;  // the cache after this call: the files seen now
    for (auto dir = dirs_.rbegin(); dir != dirs_.rend(); ++dir) {  // the first dir wins
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(*dir, ec)) {
            if (entry.path().extension() != ".yaml") continue;
            const std::string id = entry.path().stem().string();
            const std::string path = entry.path().string();
            auto item = file_facts(path, id, seen);
            item["id"] = id;
            item["source"] = path;
            found[id] = std::move(item);
        }
    }
    facts_ = std::move(seen);
    nlohmann::json list = nlohmann::json::array();
    std::size_t chart_points = 0;
    for (auto& [id, item] : found) {
        const std::size_t points = item["chart"].is_array() ? item["chart"].size() : 0;
        if (chart_points + points > kMaxListedChartPoints) {
            item["chart"] = nullptr;
        } else {
            chart_points += points;
        }
        list.push_back(std::move(item));
    }
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
