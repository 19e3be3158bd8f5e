// An error or warning about a program, profile or config file, located GCC style.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/utf8.hpp"

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

// "FILE:line:col: error: invalid UTF-8 (byte 0xFC); …" at the first bad byte, or nullopt when
// the text is valid UTF-8. Every loader checks this before it parses.
inline std::optional<Diagnostic> utf8_diagnostic(std::string_view text, const std::string& file) {
    const auto bad = find_invalid_utf8(text);
    if (!bad) return std::nullopt;
    return Diagnostic{Diagnostic::Severity::error, file, bad->line, bad->column,
                      invalid_utf8_message(*bad) + "; save the file as UTF-8"};
}

}  // namespace treadmill::programs
