// The programs the daemon can start: files in programs.dirs (first match wins) and then the
// built-in library; resolved with the runner's profile, --pace overrides and the machine limits.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "programs/program_loader.hpp"

namespace treadmill::api {

class ProgramCatalog {
  public:
    ProgramCatalog(std::vector<std::string> dirs, std::optional<programs::Profile> profile,
                   programs::MachineLimits limits);

    // [{"id","name","source"}], sorted by id; a file shadows a built-in of the same id.
    nlohmann::json list() const;
    // The program called `id`, expanded; errors in diagnostics (unknown id included).
    programs::LoadResult load(const std::string& id,
                              const std::map<std::string, std::string>& paces) const;
    // A program sent as text (start {"yaml":...}).
    programs::LoadResult load_text(const std::string& yaml,
                                   const std::map<std::string, std::string>& paces) const;
    const programs::MachineLimits& limits() const { return limits_; }

  private:
    programs::ResolveOptions options(const std::map<std::string, std::string>& paces) const;
    std::optional<std::string> file_for(const std::string& id) const;

    std::vector<std::string> dirs_;
    std::optional<programs::Profile> profile_;
    programs::MachineLimits limits_;
};

// "file:line:col: error: ..." lines of the errors, joined by newlines.
std::string error_text(const programs::Diagnostics& diagnostics);

}  // namespace treadmill::api
