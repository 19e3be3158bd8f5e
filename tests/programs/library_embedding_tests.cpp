// The embedded built-ins are exactly the files of programs/library/: same ids, same text.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "programs/builtin_library.hpp"

#ifdef TREADMILL_PROGRAMS_CORPUS  // tests/programs/corpus, given by tests/programs/CMakeLists.txt

namespace {

namespace fs = std::filesystem;

// programs/library/, found from the corpus directory (tests/programs/corpus).
fs::path library_dir() {
    return fs::path(TREADMILL_PROGRAMS_CORPUS).parent_path().parent_path().parent_path() /
           "programs" / "library";
}

std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("library: the embedded programs are the YAML files, id = file stem") {
    const fs::path dir = library_dir();
    REQUIRE(fs::is_directory(dir));
    std::set<std::string> stems;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".yaml") continue;
        const std::string stem = entry.path().stem().string();
        stems.insert(stem);
        CAPTURE(stem);
        const auto* program = treadmill::programs::find_builtin(stem);
        REQUIRE(program != nullptr);
        CHECK(program->yaml == read_all(entry.path()));
    }
    CHECK(stems.size() == treadmill::programs::builtin_programs().size());
}

#endif
