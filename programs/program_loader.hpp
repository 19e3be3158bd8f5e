// Loading workout programs (treadmill-workout/1) and runner profiles (treadmill-profile/1):
// YAML -> validation -> expansion -> Timeline. Pure: no I/O except the *_file helpers, which
// only read files. Every error is located (file:line:col) and all errors of a file are given.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/machine_limits.hpp"
#include "programs/diagnostic.hpp"
#include "programs/timeline.hpp"

namespace treadmill::programs {

// What the machine can do (from the daemon's config); programs read its speed and incline bounds.
using MachineLimits = treadmill::MachineLimits;

// A reference's definition as written, with where it was written.
struct ReferenceDefinition {
    std::string text;  // any single speed form: "4:00/km", "15 km/h", "95% 5k", "5k + 10 s/km"
    std::string file;
    int line = 0;
    int column = 0;
};

// Caps of a runner, tighter than the machine's.
struct RunnerLimits {
    std::optional<double> min_speed_kmh, max_speed_kmh;
    std::optional<double> min_incline_pct, max_incline_pct;
};

enum class Units { metric, imperial };

struct Profile {
    std::string file;
    std::string name;
    std::map<std::string, ReferenceDefinition> paces;
    RunnerLimits limits;
    std::optional<double> body_mass_kg;
    Units units = Units::metric;
};

struct ProfileResult {
    std::optional<Profile> profile;  // absent on any error
    Diagnostics diagnostics;
};
ProfileResult load_profile(std::string_view yaml, std::string_view file);
ProfileResult load_profile_file(const std::string& path);

struct ResolveOptions {
    const Profile* profile = nullptr;
    // "--pace 5k=4:10/km": name -> speed form; wins over the profile and the file.
    std::map<std::string, std::string> pace_overrides;
    MachineLimits limits;
    // The seed of an unseeded fartlek block (the k-th unseeded block takes drawn_seed + k);
    // 0 when absent. The seeds used are recorded in Timeline::seeds.
    std::optional<std::uint64_t> drawn_seed;
    // Standard references (5k, easy, …) must resolve (show, start). When false (validate),
    // an unresolved standard reference takes a nominal speed for the estimates, silently.
    bool require_references = true;
};

struct LoadResult {
    std::optional<Timeline> timeline;  // absent on any error
    Diagnostics diagnostics;           // errors and warnings (warnings also in the timeline)
};
LoadResult load_program(std::string_view yaml, std::string_view file, std::string_view id,
                        const ResolveOptions& options);
// Reads the file (refused over 1 MiB) and loads it; the id is the file's stem.
LoadResult load_program_file(const std::string& path, const ResolveOptions& options);

// All errors and warnings of a program without a profile (standard references may stay
// unresolved; requires: is checked against `limits`, as a warning).
Diagnostics validate_program(std::string_view yaml, std::string_view file,
                             const MachineLimits& limits = {});
Diagnostics validate_program_file(const std::string& path, const MachineLimits& limits = {});

// What in `requires:` the machine cannot meet, one message each ("max_incline 22% > 15%");
// empty when met. The controller refuses to start on any.
std::vector<std::string> unmet_requirements(const Requirements& requires_,
                                            const MachineLimits& limits);

// "dir/8x400m.yaml" -> "8x400m".
std::string program_id_from_path(std::string_view path);
// The whole file, or an error diagnostic (missing, unreadable, over 1 MiB).
std::optional<std::string> read_text_file(const std::string& path, Diagnostics& diagnostics);

// The standard reference names: easy, jog, mile, 5k, 10k, half, marathon, threshold.
const std::vector<std::string>& standard_references();

}  // namespace treadmill::programs
