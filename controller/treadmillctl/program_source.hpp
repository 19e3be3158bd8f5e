// Where a program's YAML comes from: a file named on the command line, a file in a program
// directory, or the built-in library. Files in the directories override built-ins of the same id.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace treadmill::ctl {

struct ProgramText {
    std::string id;    // the file's stem
    std::string file;  // the name diagnostics use: the path, or "builtin/ID.yaml"
    std::string yaml;
    bool builtin = false;
};

// Reads a program file; its id is the file's stem. On failure (also: not valid UTF-8) sets
// `error`.
std::optional<ProgramText> read_program_file(const std::string& path, std::string& error);

// Every program: the built-ins, then the *.yaml files of `dirs` (later ones win), sorted by id.
// Directories that cannot be read and unreadable files are reported in `problems`.
std::vector<ProgramText> list_programs(const std::vector<std::string>& dirs,
                                       std::vector<std::string>& problems);

// `name` is a file when it names an existing path or contains '/' or ends in ".yaml"/".yml";
// otherwise an id looked up in `dirs` then the built-ins. On failure sets `error` (with a
// "did you mean" when an id is close).
std::optional<ProgramText> find_program(const std::string& name,
                                        const std::vector<std::string>& dirs, std::string& error);

}  // namespace treadmill::ctl
