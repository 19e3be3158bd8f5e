// The programs the daemon can start: files in programs.dirs (first match wins) and then the
// built-in library; resolved with the runner's profile, --pace overrides and the machine limits.
// What `list()` reports of each program is cached: a built-in is expanded once, a file again only
// when it changed (path, inode, size, mtime, ctime), and all of them again when the profile's
// text changed (durations, distances and charts depend on its paces). Safe to call from any one
// thread at a time or several (the cache is locked).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "programs/profile_location.hpp"
#include "programs/program_loader.hpp"

namespace treadmill::api {

class ProgramCatalog {
  public:
    // Bounds of list()'s reply, whatever the number of programs.
    static constexpr std::size_t kMaxListedChartPoints = 4096;
    static constexpr std::size_t kMaxListedErrorChars = 240;

    // Reads a program file (the seam tests count reads through); errors go to the diagnostics.
    using FileReader =
        std::function<std::optional<std::string>(const std::string&, programs::Diagnostics&)>;

    // `read` empty: programs::read_text_file.
    ProgramCatalog(std::vector<std::string> dirs, std::optional<programs::Profile> profile,
                   programs::MachineLimits limits, FileReader read = {});

    // From now on `load` and `load_text` read the profile from `where` at each call (so a
    // profile written by `profile update-from-mile` applies at the next start): a missing file
    // means no profile, an invalid one fails the load with its errors. Call before serving.
    void read_profile_at_each_load(programs::ProfileLocation where) {
        profile_location_ = std::move(where);
    }

    // [{"id","name","tags","source","duration_s","distance_m","chart","error"}], sorted by id; a
    // file shadows a built-in of the same id. duration_s, distance_m and chart (program_chart)
    // are those of the program as `load` expands it now without overrides, null with `error`
    // (its first error, at most kMaxListedErrorChars) when it does not load; name and tags are
    // also found for a program that only lacks a profile's reference. The charts of the whole
    // list hold at most kMaxListedChartPoints points: past them, by id, chart is null.
    nlohmann::json list() const;
    // The program called `id`, expanded; errors in diagnostics (unknown id included).
    programs::LoadResult load(const std::string& id,
                              const std::map<std::string, std::string>& paces) const;
    // A program sent as text (start {"yaml":...}).
    programs::LoadResult load_text(const std::string& yaml,
                                   const std::map<std::string, std::string>& paces) const;
    // Every error and warning of a program sent as text, as `start` would find them but with
    // unresolved standard references allowed (the editor's check); `file` names it in them.
    programs::Diagnostics check_text(const std::string& yaml, const std::string& file) const;
    // Where the program `id` comes from: its file's path, "builtin", or nullopt.
    std::optional<std::string> source_of(const std::string& id) const;
    const programs::MachineLimits& limits() const { return limits_; }
    // The runner's display units (the profile's; metric without one).
    programs::Units units() const { return profile_ ? profile_->units : programs::Units::metric; }

  private:
    // What identifies one version of a file without reading it.
    struct FileStamp {
        std::uint64_t inode = 0, size = 0;
        std::int64_t mtime_ns = 0, ctime_ns = 0;
        bool operator==(const FileStamp&) const = default;
    };
    struct CachedFacts {
        FileStamp stamp;
        nlohmann::json facts;  // {"name","tags","duration_s","distance_m","chart","error"}
    };

    programs::ResolveOptions options(const std::map<std::string, std::string>& paces,
                                     const std::optional<programs::Profile>& profile) const;
    // The profile a load resolves against: the file read now (read_profile_at_each_load), else
    // the one given at construction; its errors go to `diagnostics`.
    std::optional<programs::Profile> profile_for_load(programs::Diagnostics& diagnostics) const;
    programs::LoadResult resolve(std::string_view yaml, std::string_view file, std::string_view id,
                                 const std::map<std::string, std::string>& paces) const;
    programs::LoadResult with_source(programs::LoadResult result, std::string_view yaml,
                                     const std::map<std::string, std::string>& paces,
                                     const std::optional<programs::Profile>& profile) const;
    std::optional<std::string> file_for(const std::string& id) const;
    // The list fields of one program's text ({"name","tags","duration_s",…}), expanded against
    // the listed profile. Called with mutex_ held.
    nlohmann::json facts_of(std::string_view yaml, std::string_view file,
                            std::string_view id) const;
    // Reads the profile as a load would; when its text changed since the last list, forgets
    // every cached entry. Called with mutex_ held.
    void refresh_listed_profile() const;
    // The file's list fields (facts_of; null, [] and the error when it cannot be read), from
    // the cache when the file did not change. Called with mutex_ held.
    nlohmann::json file_facts(const std::string& path, const std::string& id,
                              std::map<std::string, CachedFacts>& seen) const;
    // The built-ins' list entries, parsed on the first call. Called with mutex_ held.
    const std::map<std::string, nlohmann::json>& builtin_entries() const;

    std::vector<std::string> dirs_;
    std::optional<programs::Profile> profile_;
    programs::ProfileLocation profile_location_;  // read at each load when its path is set
    programs::MachineLimits limits_;
    FileReader read_;

    mutable std::mutex mutex_;
    mutable std::optional<std::map<std::string, nlohmann::json>> builtins_;
    mutable std::map<std::string, CachedFacts> facts_;  // by path
    // The profile the cached entries were expanded against: its file and text (or the one
    // given at construction), parsed, with its errors.
    mutable std::optional<std::string> listed_profile_key_;
    mutable std::optional<programs::Profile> listed_profile_;
    mutable programs::Diagnostics listed_profile_errors_;
};

// "file:line:col: error: ..." lines of the errors, joined by newlines.
std::string error_text(const programs::Diagnostics& diagnostics);

}  // namespace treadmill::api
