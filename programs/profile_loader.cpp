// Runner profiles (treadmill-profile/1): paces, limits, body mass, display units.
#include <fstream>

#include "programs/program_loader.hpp"
#include "programs/quantity.hpp"
#include "programs/yaml_doc.hpp"

namespace treadmill::programs {

namespace {

const std::vector<std::string> profile_keys{"schema", "name",      "paces",
                                            "limits", "body_mass", "units"};
const std::vector<std::string> limit_keys{"min_speed", "max_speed", "min_incline", "max_incline"};

// One quantity of a profile: parsed by `parse`, reported at its place on error.
template <typename F>
std::optional<double> read_value(const MapReader::Entry& e, DiagnosticSink& sink,
                                 std::string_view example, F parse) {
    auto text = quantity_text(e.value, sink, e.key, example);
    if (!text) return std::nullopt;
    auto value = parse(*text);
    if (!value) {
        sink.error(position_of(e.value), "'" + e.key + "': " + value.error());
        return std::nullopt;
    }
    return *value;
}

void read_limits(const YAML::Node& node, DiagnosticSink& sink, RunnerLimits& limits) {
    MapReader map(node, sink, "limits:", limit_keys);
    for (const auto& e : map.entries()) {
        if (e.key == "min_speed" || e.key == "max_speed") {
            auto v = read_value(e, sink, "'16 km/h'", parse_speed_kmh);
            (e.key == "min_speed" ? limits.min_speed_kmh : limits.max_speed_kmh) = v;
        } else if (e.key == "min_incline" || e.key == "max_incline") {
            auto v = read_value(e, sink, "'10%'", parse_incline_pct);
            (e.key == "min_incline" ? limits.min_incline_pct : limits.max_incline_pct) = v;
        }
    }
}

void read_paces(const YAML::Node& node, DiagnosticSink& sink, Profile& profile) {
    MapReader map(node, sink, "paces:", {});
    for (const auto& e : map.entries()) {
        if (!is_reference_name(e.key)) {
            sink.error(position_of(e.key_node), "'" + e.key + "' cannot name a reference");
            continue;
        }
        auto text = quantity_text(e.value, sink, e.key, "'4:00/km'");
        if (!text) continue;
        const Position at = position_of(e.value);
        if (auto expr = parse_speed_expr(*text); !expr) {
            sink.error(at, "'" + e.key + "': " + expr.error());
            continue;
        }
        profile.paces[e.key] = ReferenceDefinition{*text, sink.file(), at.line, at.column};
    }
}

void read_profile(const MapReader& top, DiagnosticSink& sink, Profile& profile) {
    const auto* schema = top.find("schema");
    if (!schema)
        sink.error({1, 1}, "missing 'schema: treadmill-profile/1'");
    else if (auto t = scalar_text(schema->value, sink, "schema"); t && *t != "treadmill-profile/1")
        sink.error(position_of(schema->value),
                   "unknown schema '" + *t + "'; expected 'treadmill-profile/1'");
    if (const auto* e = top.find("name"))
        if (auto t = scalar_text(e->value, sink, "name")) profile.name = *t;
    if (const auto* e = top.find("paces")) read_paces(e->value, sink, profile);
    if (const auto* e = top.find("limits")) read_limits(e->value, sink, profile.limits);
    if (const auto* e = top.find("body_mass"))
        profile.body_mass_kg = read_value(*e, sink, "'70 kg'", parse_mass_kg);
    if (const auto* e = top.find("units")) {
        auto t = scalar_text(e->value, sink, "units");
        if (t && *t == "imperial")
            profile.units = Units::imperial;
        else if (t && *t != "metric")
            sink.error(position_of(e->value), "'units': expected 'metric' or 'imperial'");
    }
}

}  // namespace

ProfileResult load_profile(std::string_view yaml, std::string_view file) {
    DiagnosticSink sink{std::string(file)};
    Profile profile;
    profile.file = std::string(file);
    if (auto root = load_yaml(yaml, sink)) {
        MapReader top(*root, sink, "the profile", profile_keys);
        if (root->IsMap()) read_profile(top, sink, profile);
    }
    ProfileResult result;
    if (!sink.has_errors()) result.profile = std::move(profile);
    result.diagnostics = sink.take();
    return result;
}

ProfileResult load_profile_file(const std::string& path) {
    ProfileResult result;
    auto text = read_text_file(path, result.diagnostics);
    if (!text) return result;
    return load_profile(*text, path);
}

}  // namespace treadmill::programs
