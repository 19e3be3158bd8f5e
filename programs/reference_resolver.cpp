// Reference resolution with "did you mean" for unknown names.
#include "programs/reference_resolver.hpp"

#include <algorithm>

namespace treadmill::programs {

namespace {

// Nominal speeds used only by validation when a standard reference has no value yet.
std::optional<double> nominal_kmh(const std::string& name) {
    static const std::map<std::string, double> nominal{
        {"easy", 10.0},      {"jog", 8.5},  {"marathon", 12.5}, {"half", 13.5},
        {"threshold", 14.0}, {"10k", 14.5}, {"5k", 15.0},       {"mile", 17.0}};
    auto it = nominal.find(name);
    if (it == nominal.end()) return std::nullopt;
    return it->second;
}

bool is_standard(const std::string& name) {
    const auto& names = standard_references();
    return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

ReferenceResolver::ReferenceResolver(const ResolveOptions& options,
                                     std::map<std::string, ReferenceDefinition> file_references,
                                     DiagnosticSink& sink)
    : options_(options), file_references_(std::move(file_references)), sink_(sink) {
    for (const auto& [name, text] : options.pace_overrides)
        overrides_[name] = ReferenceDefinition{text, "--pace " + name, 0, 0};
}

const ReferenceDefinition* ReferenceResolver::definition_of(const std::string& name) const {
    if (auto it = overrides_.find(name); it != overrides_.end()) return &it->second;
    if (options_.profile) {
        const auto& paces = options_.profile->paces;
        if (auto it = paces.find(name); it != paces.end()) return &it->second;
    }
    if (auto it = file_references_.find(name); it != file_references_.end()) return &it->second;
    return nullptr;
}

std::vector<std::string> ReferenceResolver::known_names() const {
    std::vector<std::string> names = standard_references();
    for (const auto& [n, d] : overrides_) names.push_back(n);
    if (options_.profile)
        for (const auto& [n, d] : options_.profile->paces) names.push_back(n);
    for (const auto& [n, d] : file_references_) names.push_back(n);
    return names;
}

void ReferenceResolver::error(const Where& where, std::string message) {
    sink_.add({Diagnostic::Severity::error, where.file, where.at.line, where.at.column,
               std::move(message)});
}

std::optional<ResolvedSpeed> ReferenceResolver::resolve(const std::string& name, Position at) {
    return resolve_at(name, Where{sink_.file(), at});
}

std::optional<ResolvedSpeed> ReferenceResolver::evaluate(const SpeedExpr& expr, Position at) {
    return evaluate_at(expr, Where{sink_.file(), at});
}

std::optional<ResolvedSpeed> ReferenceResolver::resolve_at(const std::string& name,
                                                           const Where& where) {
    if (auto it = cache_.find(name); it != cache_.end()) return it->second;
    if (in_progress_.count(name)) {
        error(where, "reference '" + name + "' is defined in terms of itself");
        return std::nullopt;
    }
    std::optional<ResolvedSpeed> result;
    if (const ReferenceDefinition* def = definition_of(name)) {
        in_progress_.insert(name);
        result = resolve_definition(name, *def);
        in_progress_.erase(name);
    } else if (is_standard(name) && !options_.require_references) {
        result = ResolvedSpeed{*nominal_kmh(name), true};
    } else if (is_standard(name)) {
        error(where, "reference '" + name + "' has no value: give a profile (--profile), --pace " +
                         name + "=4:30/km, or define it under references:");
        return std::nullopt;
    } else {
        error(where, "unknown reference '" + name + "'" + did_you_mean(name, known_names()) +
                         "; define it under references: or in the runner's profile");
        return std::nullopt;
    }
    if (result) cache_[name] = *result;
    return result;
}

std::optional<ResolvedSpeed> ReferenceResolver::resolve_definition(const std::string& name,
                                                                   const ReferenceDefinition& def) {
    const Where where{def.file, Position{def.line, def.column}};
    auto expr = parse_speed_expr(def.text);
    if (!expr) {
        error(where, "reference '" + name + "': " + expr.error());
        return std::nullopt;
    }
    return evaluate_at(*expr, where);
}

std::optional<ResolvedSpeed> ReferenceResolver::evaluate_at(const SpeedExpr& expr,
                                                            const Where& where) {
    ResolvedSpeed base;
    if (expr.absolute_kmh) {
        base.kmh = *expr.absolute_kmh;
    } else {
        auto resolved = resolve_at(expr.reference, where);
        if (!resolved) return std::nullopt;
        base = *resolved;
    }
    auto value = apply_speed_expr(expr, base.kmh);
    if (!value) {
        error(where, value.error());
        return std::nullopt;
    }
    return ResolvedSpeed{*value, base.provisional};
}

}  // namespace treadmill::programs
