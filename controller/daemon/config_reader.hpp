// Typed reading of YAML nodes with GCC-style diagnostics ("file:line:col: error: ..."):
// the building blocks of the config loader. Every problem is recorded; reading goes on.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/clock.hpp"
#include "controller/daemon/config_units.hpp"
#include "programs/diagnostic.hpp"

namespace treadmill::daemon {

// The closest of `candidates` to `word`, or "" when none is close enough.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

class ConfigReader {
  public:
    using FieldReader = std::function<void(const YAML::Node&)>;
    using Fields = std::vector<std::pair<std::string, FieldReader>>;

    explicit ConfigReader(std::string file) : file_(std::move(file)) {}

    void error(const YAML::Mark& mark, const std::string& message);
    void warning(const YAML::Mark& mark, const std::string& message);
    void file_error(const std::string& message);  // about the whole file (no position)
    programs::Diagnostics& diagnostics() { return diagnostics_; }

    // Reads a mapping: each known key through its reader (in `fields` order); unknown keys
    // (with a "did you mean") and duplicates are errors. A null node is an empty mapping.
    void read_map(const YAML::Node& node, const std::string& where, const Fields& fields);

    void read(const YAML::Node& node, std::string& out);
    void read(const YAML::Node& node, bool& out);  // true or false, nothing else
    void read(const YAML::Node& node, int& out, int min, int max);
    void read(const YAML::Node& node, double& out, Dimension dimension);
    void read(const YAML::Node& node, Duration& out);
    void read(const YAML::Node& node, std::vector<std::string>& out);
    // One of `choices`; the index chosen goes to `out`.
    void read_choice(const YAML::Node& node, std::initializer_list<std::string_view> choices,
                     int& out);

  private:
    bool scalar(const YAML::Node& node, const char* what);
    std::string file_;
    programs::Diagnostics diagnostics_;
};

}  // namespace treadmill::daemon
