#include "controller/daemon/config_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

namespace treadmill::daemon {

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

programs::Diagnostic located(const std::string& file, const YAML::Mark& mark,
                             programs::Diagnostic::Severity severity, const std::string& msg) {
    // yaml-cpp marks are 0-based; an unknown mark (-1) means the whole file.
    const bool known = mark.line >= 0 && mark.column >= 0;
    return {severity, file, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0, msg};
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const auto& candidate : candidates) {
        const std::size_t d = edit_distance(word, candidate);
        if (d < best_distance) {
            best_distance = d;
            best = candidate;
        }
    }
    return best;
}

void ConfigReader::error(const YAML::Mark& mark, const std::string& message) {
    diagnostics_.push_back(located(file_, mark, programs::Diagnostic::Severity::error, message));
}

void ConfigReader::warning(const YAML::Mark& mark, const std::string& message) {
    diagnostics_.push_back(located(file_, mark, programs::Diagnostic::Severity::warning, message));
}

void ConfigReader::file_error(const std::string& message) {
    diagnostics_.push_back({programs::Diagnostic::Severity::error, file_, 0, 0, message});
}

void ConfigReader::read_map(const YAML::Node& node, const std::string& where,
                            const Fields& fields) {
    if (node.IsNull()) return;
    if (!node.IsMap()) return error(node.Mark(), "'" + where + "' must be a mapping");
    std::map<std::string, YAML::Node> seen;
    std::vector<std::string> names;
    for (const auto& [name, reader] : fields) names.push_back(name);
    for (const auto& entry : node) {
        const std::string key = entry.first.Scalar();
        const auto known = std::find(names.begin(), names.end(), key);
        if (known == names.end()) {
            const std::string hint = closest_match(key, names);
            const std::string prefix = where.empty() ? "" : where + ".";
            error(entry.first.Mark(), "unknown key '" + prefix + key + "'" +
                                          (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
        } else if (!seen.emplace(key, entry.second).second) {
            error(entry.first.Mark(), "duplicate key '" + key + "'");
        }
    }
    for (const auto& [name, reader] : fields) {
        if (const auto it = seen.find(name); it != seen.end()) reader(it->second);
    }
}

bool ConfigReader::scalar(const YAML::Node& node, const char* what) {
    if (node.IsScalar()) return true;
    error(node.Mark(), std::string("expected ") + what);
    return false;
}

void ConfigReader::read(const YAML::Node& node, std::string& out) {
    if (scalar(node, "a string")) out = node.Scalar();
}

void ConfigReader::read(const YAML::Node& node, bool& out) {
    if (!scalar(node, "true or false")) return;
    const std::string& text = node.Scalar();
    if (text == "true") {
        out = true;
    } else if (text == "false") {
        out = false;
    } else {
        error(node.Mark(), "expected true or false, got '" + text + "'");
    }
}

void ConfigReader::read(const YAML::Node& node, int& out, int min, int max) {
    if (!scalar(node, "an integer")) return;
    const std::string& text = node.Scalar();
    int value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || ptr != text.data() + text.size()) {
        return error(node.Mark(), "expected an integer, got '" + text + "'");
    }
    if (value < min || value > max) {
        return error(node.Mark(), "value " + text + " out of range " + std::to_string(min) + ".." +
                                      std::to_string(max));
    }
    out = value;
}

void ConfigReader::read(const YAML::Node& node, double& out, Dimension dimension) {
    if (!scalar(node, dimension_example(dimension).data())) return;
    const auto value = parse_quantity(node.Scalar(), dimension);
    if (!value) return error(node.Mark(), value.error());
    out = *value;
}

void ConfigReader::read(const YAML::Node& node, Duration& out) {
    double seconds = 0;
    const std::size_t errors_before = diagnostics_.size();
    read(node, seconds, Dimension::duration);
    if (diagnostics_.size() != errors_before) return;
    if (seconds < 0) return error(node.Mark(), "a duration cannot be negative");
    out = std::chrono::duration_cast<Duration>(Seconds(seconds));
}

void ConfigReader::read(const YAML::Node& node, std::vector<std::string>& out) {
    if (!node.IsSequence()) return error(node.Mark(), "expected a list of strings");
    std::vector<std::string> values;
    for (const auto& item : node) {
        if (!scalar(item, "a string")) return;
        values.push_back(item.Scalar());
    }
    out = std::move(values);
}

void ConfigReader::read_choice(const YAML::Node& node,
                               std::initializer_list<std::string_view> choices, int& out) {
    if (!scalar(node, "a string")) return;
    std::string list;
    int index = 0;
    for (const auto choice : choices) {
        if (node.Scalar() == choice) {
            out = index;
            return;
        }
        list += (index++ ? ", " : "") + std::string(choice);
    }
    error(node.Mark(), "'" + node.Scalar() + "' is not one of: " + list);
}

}  // namespace treadmill::daemon
