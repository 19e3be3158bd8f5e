// The public entry points: load, validate, requirements, file helpers.
#include "programs/program_loader.hpp"

#include <fstream>
#include <sstream>

#include "programs/expander.hpp"
#include "programs/yaml_doc.hpp"

namespace treadmill::programs {

namespace {

constexpr std::size_t max_file_bytes = 1024 * 1024;

Timeline expand(std::string_view yaml, std::string_view id, const ResolveOptions& options,
                DiagnosticSink& sink) {
    auto root = load_yaml(yaml, sink);
    if (!root) return {};
    try {
        Expander expander(sink, options);
        return expander.run(*root, id);
    } catch (const std::exception& e) {
        sink.error({}, std::string("internal error while reading the program: ") + e.what());
        return {};
    }
}

}  // namespace

const std::vector<std::string>& standard_references() {
    static const std::vector<std::string> names{"easy", "jog",  "mile",     "5k",
                                                "10k",  "half", "marathon", "threshold"};
    return names;
}

LoadResult load_program(std::string_view yaml, std::string_view file, std::string_view id,
                        const ResolveOptions& options) {
    DiagnosticSink sink{std::string(file)};
    Timeline timeline = expand(yaml, id, options, sink);
    LoadResult result;
    for (const auto& d : sink.diagnostics())
        if (d.severity == Diagnostic::Severity::warning) timeline.warnings.push_back(d);
    if (!sink.has_errors()) result.timeline = std::move(timeline);
    result.diagnostics = sink.take();
    return result;
}

Diagnostics validate_program(std::string_view yaml, std::string_view file,
                             const MachineLimits& limits) {
    ResolveOptions options;
    options.limits = limits;
    options.require_references = false;
    DiagnosticSink sink{std::string(file)};
    expand(yaml, program_id_from_path(file), options, sink);
    return sink.take();
}

std::optional<std::string> read_text_file(const std::string& path, Diagnostics& diagnostics) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        diagnostics.push_back({Diagnostic::Severity::error, path, 0, 0, "cannot open the file"});
        return std::nullopt;
    }
    std::string text(max_file_bytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (in.bad()) {
        diagnostics.push_back({Diagnostic::Severity::error, path, 0, 0, "cannot read the file"});
        return std::nullopt;
    }
    if (text.size() > max_file_bytes) {
        diagnostics.push_back(
            {Diagnostic::Severity::error, path, 0, 0, "file is larger than 1024 KiB; refused"});
        return std::nullopt;
    }
    return text;
}

std::string program_id_from_path(std::string_view path) {
    const std::size_t slash = path.find_last_of('/');
    std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    const std::size_t dot = name.rfind('.');
    if (dot != std::string_view::npos && dot > 0) name = name.substr(0, dot);
    return std::string(name);
}

LoadResult load_program_file(const std::string& path, const ResolveOptions& options) {
    LoadResult result;
    auto text = read_text_file(path, result.diagnostics);
    if (!text) return result;
    return load_program(*text, path, program_id_from_path(path), options);
}

Diagnostics validate_program_file(const std::string& path, const MachineLimits& limits) {
    Diagnostics diagnostics;
    auto text = read_text_file(path, diagnostics);
    if (!text) return diagnostics;
    return validate_program(*text, path, limits);
}

std::vector<std::string> unmet_requirements(const Requirements& requires_,
                                            const MachineLimits& limits) {
    std::vector<std::string> unmet;
    if (requires_.max_speed_kmh && *requires_.max_speed_kmh > limits.max_speed_kmh + 1e-9)
        unmet.push_back("max_speed " + format_speed(*requires_.max_speed_kmh) +
                        " is above the machine's " + format_speed(limits.max_speed_kmh));
    if (requires_.max_incline_pct && *requires_.max_incline_pct > limits.max_incline_pct + 1e-9)
        unmet.push_back("max_incline " + format_incline(*requires_.max_incline_pct) +
                        " is above the machine's " + format_incline(limits.max_incline_pct));
    return unmet;
}

}  // namespace treadmill::programs
