// Resolves speed references to km/h: --pace overrides, then the runner's profile, then the
// file's references:. Definitions may name other references (cycles are errors). Internal.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "programs/program_loader.hpp"
#include "programs/quantity.hpp"
#include "programs/yaml_doc.hpp"

namespace treadmill::programs {

struct ResolvedSpeed {
    double kmh = 0;
    bool provisional = false;  // a nominal stand-in for an unresolved standard reference
};

class ReferenceResolver {
  public:
    ReferenceResolver(const ResolveOptions& options,
                      std::map<std::string, ReferenceDefinition> file_references,
                      DiagnosticSink& sink);

    // The speed of an expression; errors are reported at `at` (nullopt then).
    std::optional<ResolvedSpeed> evaluate(const SpeedExpr& expr, Position at);
    std::optional<ResolvedSpeed> resolve(const std::string& name, Position at);

  private:
    // Where an expression was written: the program file, a profile, or --pace.
    struct Where {
        std::string file;
        Position at;
    };
    std::optional<ResolvedSpeed> evaluate_at(const SpeedExpr& expr, const Where& where);
    std::optional<ResolvedSpeed> resolve_at(const std::string& name, const Where& where);
    void error(const Where& where, std::string message);
    const ReferenceDefinition* definition_of(const std::string& name) const;
    std::optional<ResolvedSpeed> resolve_definition(const std::string& name,
                                                    const ReferenceDefinition& def);
    std::vector<std::string> known_names() const;

    const ResolveOptions& options_;
    std::map<std::string, ReferenceDefinition> overrides_;
    std::map<std::string, ReferenceDefinition> file_references_;
    DiagnosticSink& sink_;
    std::map<std::string, ResolvedSpeed> cache_;
    std::set<std::string> in_progress_;
};

}  // namespace treadmill::programs
