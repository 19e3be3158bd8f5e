#include "common/atomic_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace {

// A fresh directory under TMPDIR, removed with everything in it at the end of the test.
struct TempDir {
    fs::path path;
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "atomic-file.XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::size_t entries() const {
        return static_cast<std::size_t>(std::distance(fs::directory_iterator(path), {}));
    }
};

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("write_file_atomically: creates, then replaces, with the mode asked and no temp left") {
    TempDir dir;
    const std::string path = (dir.path / "state.json").string();
    REQUIRE(treadmill::write_file_atomically(path, "first", 0600).ok());
    CHECK(read(path) == "first");
    REQUIRE(treadmill::write_file_atomically(path, std::string(100000, 'x'), 0640).ok());
    CHECK(read(path) == std::string(100000, 'x'));
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
    CHECK(dir.entries() == 1);
}

TEST_CASE("write_file_atomically: a missing directory is an error naming it; nothing is written") {
    TempDir dir;
    const std::string path = (dir.path / "absent" / "state.json").string();
    const auto written = treadmill::write_file_atomically(path, "x", 0644);
    REQUIRE_FALSE(written.ok());
    CHECK(written.error().find((dir.path / "absent").string()) != std::string::npos);
    CHECK(dir.entries() == 0);
}

TEST_CASE(
    "write_file_atomically: a rename onto a directory fails, the target and its dir unchanged") {
    TempDir dir;
    const fs::path target = dir.path / "busy";
    fs::create_directory(target);
    const auto written = treadmill::write_file_atomically(target.string(), "x", 0644);
    REQUIRE_FALSE(written.ok());
    CHECK(written.error().find("cannot rename") != std::string::npos);
    CHECK(fs::is_directory(target));
    CHECK(dir.entries() == 1);  // the temp file was removed
}

TEST_CASE("move_file_aside: keeps the bad file as .corrupt; a missing one is an error") {
    TempDir dir;
    const std::string path = (dir.path / "pairing.json").string();
    std::ofstream(path) << "not json";
    const auto aside = treadmill::move_file_aside(path);
    REQUIRE(aside.ok());
    CHECK(*aside == path + ".corrupt");
    CHECK(read(*aside) == "not json");
    CHECK_FALSE(fs::exists(path));
    CHECK_FALSE(treadmill::move_file_aside(path).ok());
}
