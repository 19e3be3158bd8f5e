// load_yaml: refuses what yaml-cpp 0.7 handles badly before it parses (invalid UTF-8, size,
// tabs, deep nesting), converts its exceptions to diagnostics and caps the tree (alias bombs).
#include <algorithm>

#include "programs/yaml_doc.hpp"

namespace treadmill::programs {

namespace {

// Tracks quotes and flow brackets across the text to estimate the nesting depth; remembers
// where it first goes past the limit.
struct DepthScan {
    int limit = 0;
    std::vector<std::size_t> indents;
    int flow = 0;
    char quote = 0;  // the open quote, or 0
    std::optional<Position> over;

    void line(std::string_view text, int line_number) {
        std::size_t i = 0;
        if (quote == 0 && flow == 0) i = block_prefix(text, line_number);
        for (; i < text.size(); ++i) {
            const char c = text[i];
            if (quote != 0) {
                if (quote == '"' && c == '\\')
                    ++i;
                else if (c == quote)
                    quote = 0;
                continue;
            }
            if (c == '#' && (i == 0 || text[i - 1] == ' ')) break;
            if (c == '"' || c == '\'') quote = c;
            if (c == '[' || c == '{') ++flow;
            if ((c == ']' || c == '}') && flow > 0) --flow;
            note(static_cast<int>(indents.size()) + flow, line_number, i);
        }
    }

    // Indentation and "- - " sequence entries at the start of a block line.
    std::size_t block_prefix(std::string_view text, int line_number) {
        std::size_t i = text.find_first_not_of(' ');
        if (i == std::string_view::npos || text[i] == '#') return text.size();
        while (!indents.empty() && indents.back() > i) indents.pop_back();
        if (indents.empty() || indents.back() < i) indents.push_back(i);
        int dashes = 0;
        while (i < text.size() && text[i] == '-' && (i + 1 == text.size() || text[i + 1] == ' ')) {
            note(static_cast<int>(indents.size()) + ++dashes, line_number, i);
            i = text.find_first_not_of(' ', i + 1);
            if (i == std::string_view::npos) return text.size();
        }
        note(static_cast<int>(indents.size()) + dashes, line_number, i);
        return i;
    }

    void note(int depth, int line_number, std::size_t column) {
        if (depth > limit && !over) over = Position{line_number, static_cast<int>(column) + 1};
    }
};

bool prescan(std::string_view text, DiagnosticSink& sink, const YamlLimits& limits) {
    if (text.size() > limits.max_bytes) {
        sink.error(
            {}, "file is larger than " + std::to_string(limits.max_bytes / 1024) + " KiB; refused");
        return false;
    }
    DepthScan depth{limits.max_depth, {}, 0, 0, std::nullopt};
    int line_number = 0;
    int tabs = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(start, end - start);
        ++line_number;
        if (const std::size_t tab = line.find('\t'); tab != std::string_view::npos && tabs++ < 20)
            sink.error({line_number, static_cast<int>(tab) + 1},
                       "tab character; YAML is indented with spaces");
        depth.line(line, line_number);
        if (depth.over) {
            sink.error(*depth.over, "nesting deeper than " + std::to_string(limits.max_depth) +
                                        " levels; refused");
            return false;
        }
        start = end + 1;
    }
    return tabs == 0;
}

// Counts nodes (aliases each time they are reached) and depth; false past the caps.
bool within_caps(const YAML::Node& node, int depth, std::size_t& count, const YamlLimits& limits,
                 DiagnosticSink& sink) {
    if (depth > limits.max_depth) {
        sink.error(position_of(node),
                   "nesting deeper than " + std::to_string(limits.max_depth) + " levels; refused");
        return false;
    }
    if (++count > limits.max_nodes) {
        sink.error({}, "more than " + std::to_string(limits.max_nodes) +
                           " nodes (aliases count each time they are used); refused");
        return false;
    }
    if (!node.IsSequence() && !node.IsMap()) return true;
    for (auto it = node.begin(); it != node.end(); ++it) {
        if (node.IsSequence()) {
            if (!within_caps(*it, depth + 1, count, limits, sink)) return false;
            continue;
        }
        if (!within_caps(it->first, depth + 1, count, limits, sink) ||
            !within_caps(it->second, depth + 1, count, limits, sink))
            return false;
    }
    return true;
}

}  // namespace

std::optional<YAML::Node> load_yaml(std::string_view text, DiagnosticSink& sink,
                                    const YamlLimits& limits) {
    if (auto bad = utf8_diagnostic(text, sink.file())) {  // yaml-cpp would keep the bytes
        sink.add(std::move(*bad));
        return std::nullopt;
    }
    if (!prescan(text, sink, limits)) return std::nullopt;
    if (text.find('\0') != std::string_view::npos) {
        sink.error({}, "file contains a NUL byte; refused");
        return std::nullopt;
    }
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        sink.error({e.mark.line + 1, e.mark.column + 1}, "YAML: " + e.msg);
        return std::nullopt;
    } catch (const std::exception& e) {
        sink.error({}, std::string("YAML: ") + e.what());
        return std::nullopt;
    }
    std::size_t count = 0;
    if (!within_caps(root, 0, count, limits, sink)) return std::nullopt;
    return root;
}

}  // namespace treadmill::programs
