// write_profile_paces: the references `profile update-from-mile --yes` writes replace only the
// paces they name, keep the rest of the profile, create a missing file, and never leave a
// broken profile in place of a good one.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "controller/daemon/profile_update.hpp"
#include "programs/program_loader.hpp"
#include "tests/support/test_support.hpp"

using treadmill::daemon::write_profile_paces;
namespace programs = treadmill::programs;

TEST_CASE("write_profile_paces: named paces replaced, other keys kept, the result loads") {
    const std::string dir = treadmill::testing::make_temp_dir();
    const std::string path = dir + "/profile.yaml";
    std::ofstream(path) << "schema: treadmill-profile/1\nname: Ann\nbody_mass: 61 kg\n"
                           "paces: {easy: \"6:30/km\", half: \"4:50/km\"}\n";
    REQUIRE(write_profile_paces(path, {{"easy", "5:27/km"}, {"mile", "3:44/km"}}));
    const auto loaded = programs::load_profile_file(path);
    REQUIRE(loaded.profile);
    CHECK(loaded.profile->paces.at("easy").text == "5:27/km");
    CHECK(loaded.profile->paces.at("mile").text == "3:44/km");
    CHECK(loaded.profile->paces.at("half").text == "4:50/km");  // not proposed: kept
    CHECK(loaded.profile->name == "Ann");
    REQUIRE(loaded.profile->body_mass_kg);
    CHECK(*loaded.profile->body_mass_kg == doctest::Approx(61));
    CHECK_FALSE(std::filesystem::exists(path + ".partial"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("write_profile_paces: a missing profile is created with its schema") {
    const std::string dir = treadmill::testing::make_temp_dir();
    const std::string path = dir + "/new.yaml";
    REQUIRE(write_profile_paces(path, {{"5k", "3:59/km"}}));
    const auto loaded = programs::load_profile_file(path);
    REQUIRE(loaded.profile);
    CHECK(loaded.profile->paces.at("5k").text == "3:59/km");
    std::filesystem::remove_all(dir);
}

TEST_CASE("write_profile_paces: a result that would not load leaves the old file as it was") {
    const std::string dir = treadmill::testing::make_temp_dir();
    const std::string path = dir + "/profile.yaml";
    const std::string before = "schema: treadmill-profile/1\npaces: {easy: \"6:30/km\"}\n";
    std::ofstream(path) << before;
    CHECK_FALSE(write_profile_paces(path, {{"easy", "very fast"}}));
    CHECK(treadmill::testing::read_file(path) == before);
    CHECK_FALSE(std::filesystem::exists(path + ".partial"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("write_profile_paces from the old location: its other keys move, it stays as it was") {
    const std::string dir = treadmill::testing::make_temp_dir();
    const std::string old_path = dir + "/etc-profile.yaml";
    const std::string new_path = dir + "/state-profile.yaml";
    const std::string before =
        "schema: treadmill-profile/1\nname: Ann\nbody_mass: 61 kg\n"
        "paces: {easy: \"6:30/km\", half: \"4:50/km\"}\n";
    std::ofstream(old_path) << before;
    REQUIRE(write_profile_paces(new_path, {{"easy", "5:27/km"}}, old_path));
    const auto loaded = programs::load_profile_file(new_path);
    REQUIRE(loaded.profile);
    CHECK(loaded.profile->paces.at("easy").text == "5:27/km");
    CHECK(loaded.profile->paces.at("half").text == "4:50/km");
    CHECK(loaded.profile->name == "Ann");
    REQUIRE(loaded.profile->body_mass_kg);
    CHECK(*loaded.profile->body_mass_kg == doctest::Approx(61));
    CHECK(treadmill::testing::read_file(old_path) == before);  // read, never written
    std::filesystem::remove_all(dir);
}
