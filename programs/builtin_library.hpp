// The built-in workout programs (programs/library/*.yaml), embedded in the binaries at build
// time so that `programs`, `show` and `start` work without any installed file.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace treadmill::programs {

struct BuiltinProgram {
    std::string_view id;    // the file's stem, e.g. "8x400m"
    std::string_view yaml;  // the file's text, treadmill-workout/1
};

// Every built-in program, sorted by id.
std::span<const BuiltinProgram> builtin_programs();

// The built-in program with this id, or nullptr.
const BuiltinProgram* find_builtin(std::string_view id);

}  // namespace treadmill::programs
