// Helpers for the programs tests: load a program and fail with its diagnostics.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "programs/program_loader.hpp"

namespace treadmill::programs::testing {

inline std::string joined(const Diagnostics& ds) {
    std::string out;
    for (const auto& d : ds) out += d.to_string() + "\n";
    return out;
}

inline Timeline load_ok(const std::string& yaml, const ResolveOptions& options = {}) {
    auto r = load_program(yaml, "test.yaml", "test", options);
    INFO(joined(r.diagnostics));
    REQUIRE(r.timeline.has_value());
    return *r.timeline;
}

inline Diagnostics errors_only(const Diagnostics& ds) {
    Diagnostics out;
    for (const auto& d : ds)
        if (d.severity == Diagnostic::Severity::error) out.push_back(d);
    return out;
}

}  // namespace treadmill::programs::testing
