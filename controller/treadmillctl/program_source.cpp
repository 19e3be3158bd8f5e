#include "controller/treadmillctl/program_source.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>

#include "programs/builtin_library.hpp"
#include "programs/program_loader.hpp"

namespace treadmill::ctl {

namespace fs = std::filesystem;

namespace {

bool has_yaml_extension(const fs::path& path) {
    return path.extension() == ".yaml" || path.extension() == ".yml";
}

bool looks_like_path(const std::string& name) {
    std::error_code ec;
    return name.find('/') != std::string::npos || has_yaml_extension(name) ||
           fs::is_regular_file(name, ec);
}

ProgramText from_builtin(const programs::BuiltinProgram& program) {
    return {std::string(program.id), "builtin/" + std::string(program.id) + ".yaml",
            std::string(program.yaml), true};
}

// Levenshtein distance, for "did you mean".
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
            diagonal = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
        }
    }
    return row[b.size()];
}

std::string closest_id(const std::string& name, const std::vector<ProgramText>& programs) {
    std::string best;
    std::size_t best_distance = 3;  // suggest only close names
    for (const auto& program : programs) {
        const std::size_t d = edit_distance(name, program.id);
        if (d < best_distance) best_distance = d, best = program.id;
    }
    return best;
}

}  // namespace

std::optional<ProgramText> read_program_file(const std::string& path, std::string& error) {
    programs::Diagnostics diagnostics;
    auto text = programs::read_text_file(path, diagnostics);
    if (!text) {
        error = diagnostics.empty() ? path + ": error: cannot read the file"
                                    : diagnostics.front().to_string();
        return std::nullopt;
    }
    if (const auto bad = programs::utf8_diagnostic(*text, path)) {  // never sent to the daemon
        error = bad->to_string();
        return std::nullopt;
    }
    return ProgramText{programs::program_id_from_path(path), path, std::move(*text), false};
}

std::vector<ProgramText> list_programs(const std::vector<std::string>& dirs,
                                       std::vector<std::string>& problems) {
    std::map<std::string, ProgramText> by_id;
    for (const auto& program : programs::builtin_programs())
        by_id[std::string(program.id)] = from_builtin(program);
    for (const auto& dir : dirs) {
        std::error_code ec;
        std::vector<fs::path> files;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
            if (has_yaml_extension(it->path())) files.push_back(it->path());
        if (ec) problems.push_back(dir + ": error: cannot read the directory: " + ec.message());
        std::sort(files.begin(), files.end());
        for (const auto& file : files) {
            std::string error;
            if (auto program = read_program_file(file.string(), error))
                by_id[program->id] = std::move(*program);
            else
                problems.push_back(error);
        }
    }
    std::vector<ProgramText> programs;
    for (auto& [id, program] : by_id) programs.push_back(std::move(program));
    return programs;
}

std::optional<ProgramText> find_program(const std::string& name,
                                        const std::vector<std::string>& dirs, std::string& error) {
    if (looks_like_path(name)) return read_program_file(name, error);
    std::vector<std::string> problems;
    auto programs = list_programs(dirs, problems);
    for (auto& program : programs)
        if (program.id == name) return std::move(program);
    error = "unknown program '" + name + "'";
    if (const std::string close = closest_id(name, programs); !close.empty())
        error += "; did you mean '" + close + "'?";
    else
        error += " (treadmillctl programs lists them)";
    return std::nullopt;
}

}  // namespace treadmill::ctl
