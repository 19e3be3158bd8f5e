// Positions, diagnostics, "did you mean", maps read once and scalar checks.
#include "programs/yaml_doc.hpp"

#include <algorithm>
#include <cctype>

#include "programs/quantity.hpp"

namespace treadmill::programs {

Position position_of(const YAML::Node& node) {
    if (!node.IsDefined()) return {};
    const YAML::Mark mark = node.Mark();
    if (mark.is_null() || mark.line < 0) return {};
    return {mark.line + 1, mark.column + 1};
}

void DiagnosticSink::error(Position at, std::string message) {
    add({Diagnostic::Severity::error, file_, at.line, at.column, std::move(message)});
}

void DiagnosticSink::warning(Position at, std::string message) {
    add({Diagnostic::Severity::warning, file_, at.line, at.column, std::move(message)});
}

Diagnostics DiagnosticSink::take() {
    std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                         return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                     });
    return std::move(diagnostics_);
}

void DiagnosticSink::add(Diagnostic d) {
    if (diagnostics_.size() >= 500) return;
    if (!seen_.emplace(d.line, d.column, d.message).second) return;
    if (d.severity == Diagnostic::Severity::error) ++errors_;
    diagnostics_.push_back(std::move(d));
}

namespace {

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
    return out;
}

const char* kind_name(const YAML::Node& node) {
    if (node.IsMap()) return "a mapping";
    if (node.IsSequence()) return "a list";
    if (node.IsNull()) return "nothing";
    return "a scalar";
}

}  // namespace

MapReader::MapReader(const YAML::Node& map, DiagnosticSink& sink, std::string_view what,
                     const std::vector<std::string>& allowed) {
    if (!map.IsMap()) {
        sink.error(position_of(map),
                   "expected " + std::string(what) + " as a mapping, got " + kind_name(map));
        return;
    }
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node key = it->first;  // a copy: *it is a temporary
        if (!key.IsScalar()) {
            sink.error(position_of(key), "keys of " + std::string(what) + " must be names");
            continue;
        }
        const std::string name = key.Scalar();
        if (const Entry* first = find(name)) {
            const Position p = position_of(first->key_node);
            sink.error(position_of(key), "duplicate key '" + name + "' (first at line " +
                                             std::to_string(p.line) + ")");
            continue;
        }
        if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), name) == allowed.end())
            sink.error(position_of(key), "unknown key '" + name + "' in " + std::string(what) +
                                             did_you_mean(name, allowed) +
                                             "; expected one of: " + join(allowed));
        const YAML::Node value = it->second;
        entries_.push_back({name, key, value});
    }
}

const MapReader::Entry* MapReader::find(std::string_view key) const {
    for (const auto& e : entries_)
        if (e.key == key) return &e;
    return nullptr;
}

bool is_plain(const YAML::Node& node) {
    return node.Tag() == "?";
}

std::optional<std::string> scalar_text(const YAML::Node& node, DiagnosticSink& sink,
                                       std::string_view key) {
    if (!node.IsScalar()) {
        sink.error(position_of(node),
                   "'" + std::string(key) + "': expected a value, got " + kind_name(node));
        return std::nullopt;
    }
    return node.Scalar();
}

std::optional<std::string> quantity_text(const YAML::Node& node, DiagnosticSink& sink,
                                         std::string_view key, std::string_view example) {
    auto text = scalar_text(node, sink, key);
    if (!text) return std::nullopt;
    const std::string k(key);
    if (is_plain(node) && is_bare_number(*text)) {
        sink.error(position_of(node), "'" + k + "': the bare number " + *text +
                                          " has no unit; write it with one, e.g. " +
                                          std::string(example));
        return std::nullopt;
    }
    if (is_plain(node) && is_clock(*text)) {
        sink.error(position_of(node), "'" + k + "': write the clock form in quotes (\"" + *text +
                                          "\"), or as a pace with a suffix (\"" + *text +
                                          "/km\"); unquoted, YAML may read it as a number");
        return std::nullopt;
    }
    return text;
}

}  // namespace treadmill::programs
