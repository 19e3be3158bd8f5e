// Shared by the fuzz targets: an invariant check that reports and traps.
#pragma once

#include <cstdio>

namespace treadmill::fuzz {

// Stops the run with a message libFuzzer keeps next to the reproducer.
[[noreturn]] inline void violation(const char* what) {
    std::fprintf(stderr, "INVARIANT VIOLATED: %s\n", what);
    __builtin_trap();
}

inline void require(bool ok, const char* what) {
    if (!ok) violation(what);
}

}  // namespace treadmill::fuzz
