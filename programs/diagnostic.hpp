// An error or warning about a program, profile or config file, located GCC style.
#pragma once

#include <string>
#include <vector>

namespace treadmill::programs {

struct Diagnostic {
    enum class Severity { error, warning };
    Severity severity = Severity::error;
    std::string file;
    int line = 0;    // 1-based; 0 when the whole file is meant
    int column = 0;  // 1-based
    std::string message;

    // "file:line:col: error: message"
    std::string to_string() const {
        std::string s = file;
        if (line > 0) s += ":" + std::to_string(line) + ":" + std::to_string(column);
        s += severity == Severity::error ? ": error: " : ": warning: ";
        return s + message;
    }
};

using Diagnostics = std::vector<Diagnostic>;

inline bool has_errors(const Diagnostics& ds) {
    for (const auto& d : ds)
        if (d.severity == Diagnostic::Severity::error) return true;
    return false;
}

}  // namespace treadmill::programs
