// Reading user-written YAML safely and precisely: UTF-8, size, tab, depth and node-count caps
// before and after yaml-cpp parses; 1-based positions; maps read once with duplicate and unknown
// keys reported ("did you mean"). Shared by programs and profiles (the daemon's config loader
// has its own reader but the same UTF-8 check).
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "programs/diagnostic.hpp"
#include "programs/suggest.hpp"

namespace treadmill::programs {

struct Position {
    int line = 0;  // 1-based, 0 when unknown
    int column = 0;
};
Position position_of(const YAML::Node& node);

// Collects the diagnostics of one file; the same message at the same place is kept once.
class DiagnosticSink {
  public:
    explicit DiagnosticSink(std::string file) : file_(std::move(file)) {}
    void error(Position at, std::string message);
    void warning(Position at, std::string message);
    void add(Diagnostic d);
    const std::string& file() const { return file_; }
    bool has_errors() const { return errors_ > 0; }
    std::size_t error_count() const { return errors_; }
    // The diagnostics, ordered by line and column.
    Diagnostics take();
    const Diagnostics& diagnostics() const { return diagnostics_; }

  private:
    std::string file_;
    Diagnostics diagnostics_;
    std::set<std::tuple<int, int, std::string>> seen_;
    std::size_t errors_ = 0;
};

struct YamlLimits {
    std::size_t max_bytes = 1024 * 1024;
    int max_depth = 64;
    std::size_t max_nodes = 100000;  // aliases count each time they are reached
};

// Checks the text, parses it and checks the tree; nullopt (with errors) when refused.
std::optional<YAML::Node> load_yaml(std::string_view text, DiagnosticSink& sink,
                                    const YamlLimits& limits = {});

// A mapping read once, in order. Duplicate keys, non-scalar keys and keys not in `allowed`
// are reported at construction.
class MapReader {
  public:
    struct Entry {
        std::string key;
        YAML::Node key_node;
        YAML::Node value;
    };
    // `what` names the map in messages ("a step", "requires:"); empty `allowed` = any key.
    MapReader(const YAML::Node& map, DiagnosticSink& sink, std::string_view what,
              const std::vector<std::string>& allowed);
    const Entry* find(std::string_view key) const;
    bool has(std::string_view key) const { return find(key) != nullptr; }
    const std::vector<Entry>& entries() const { return entries_; }

  private:
    std::vector<Entry> entries_;
};

// True for a plain (unquoted) scalar.
bool is_plain(const YAML::Node& node);

// The text of a scalar, else an error "`key`: expected …" and nullopt.
std::optional<std::string> scalar_text(const YAML::Node& node, DiagnosticSink& sink,
                                       std::string_view key);
// As scalar_text, plus the quantity rules: no bare numbers, clock forms quoted.
// `example` completes "add a unit, e.g. …".
std::optional<std::string> quantity_text(const YAML::Node& node, DiagnosticSink& sink,
                                         std::string_view key, std::string_view example);

}  // namespace treadmill::programs
