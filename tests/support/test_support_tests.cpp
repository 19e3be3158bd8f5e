// Checks of the test helpers themselves.
#include <doctest/doctest.h>
#include <signal.h>

#include <filesystem>

#include "tests/support/test_support.hpp"

using namespace treadmill::testing;
using namespace std::chrono_literals;

TEST_CASE("run_command captures output and exit code") {
    auto r = run_command({"sh", "-c", "echo hello; echo oops >&2; exit 3"}, 5000ms);
    CHECK(r.exit_code == 3);
    CHECK(r.output.find("hello") != std::string::npos);
    CHECK(r.output.find("oops") != std::string::npos);
}

TEST_CASE("run_command kills a command past its time-out") {
    auto r = run_command({"sleep", "10"}, 100ms);
    CHECK(r.exit_code == -1);
}

TEST_CASE("ChildProcess signal and wait_exit") {
    ChildProcess child({"sleep", "10"});
    CHECK(child.running());
    child.signal(SIGTERM);
    auto code = child.wait_exit(2000ms);
    REQUIRE(code.has_value());
    CHECK(*code == 128 + SIGTERM);
    CHECK_FALSE(child.running());
}

TEST_CASE("PtyPair makes two links") {
    PtyPair pair;
    CHECK(std::filesystem::exists(pair.a()));
    CHECK(std::filesystem::exists(pair.b()));
}

TEST_CASE("free_tcp_port and make_temp_dir") {
    CHECK(free_tcp_port() != 0);
    auto dir = make_temp_dir();
    CHECK(std::filesystem::is_directory(dir));
    std::filesystem::remove_all(dir);
}
