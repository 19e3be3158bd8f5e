// treadmillctl's argument parsing: global options anywhere, command options, usage errors.
#include <doctest/doctest.h>

#include "controller/treadmillctl/cli_args.hpp"
#include "controller/treadmillctl/commands.hpp"

using namespace treadmill::ctl;

TEST_CASE("parse_invocation: --socket and --json before or after the command") {
    std::string error;
    auto before =
        parse_invocation({"--socket", "/tmp/a.sock", "--json", "show", "8x400m"}, nullptr, error);
    REQUIRE(before);
    CHECK(before->command == "show");
    CHECK(before->args == std::vector<std::string>{"8x400m"});
    CHECK(before->json);
    CHECK(before->socket == "/tmp/a.sock");
    auto after =
        parse_invocation({"show", "8x400m", "--json", "--socket=/tmp/b.sock"}, nullptr, error);
    REQUIRE(after);
    CHECK(after->args == std::vector<std::string>{"8x400m"});
    CHECK(after->json);
    CHECK(after->socket == "/tmp/b.sock");
}

TEST_CASE("parse_invocation: the socket defaults to $TREADMILL_SOCKET, then the system path") {
    std::string error;
    CHECK(parse_invocation({"status"}, "/run/x.sock", error)->socket == "/run/x.sock");
    CHECK(parse_invocation({"status"}, nullptr, error)->socket == "/run/treadmilld/control.sock");
    CHECK(parse_invocation({"--socket", "/o", "status"}, "/run/x.sock", error)->socket == "/o");
}

TEST_CASE("parse_invocation: usage errors") {
    std::string error;
    CHECK_FALSE(parse_invocation({"--bogus", "show"}, nullptr, error));
    CHECK(error.find("--bogus") != std::string::npos);
    error.clear();
    CHECK_FALSE(parse_invocation({"show", "--socket"}, nullptr, error));
    CHECK(error.find("needs a value") != std::string::npos);
}

TEST_CASE("parse_invocation: repeated --programs-dir, command options passed through") {
    std::string error;
    auto inv = parse_invocation(
        {"--programs-dir", "a", "show", "x", "--pace", "5k=4:00/km", "--programs-dir=b"}, nullptr,
        error);
    REQUIRE(inv);
    CHECK(inv->programs_dirs == std::vector<std::string>{"a", "b"});
    CHECK(inv->args == std::vector<std::string>{"x", "--pace", "5k=4:00/km"});
}

TEST_CASE("parse_command_args: valued options, flags, '--', negative numbers") {
    std::string error;
    auto args = parse_command_args(
        {"x", "--pace", "5k=4:00/km", "--pace=easy=6:00/km", "--dry", "-0.5", "--", "--literal"},
        {"--pace"}, {"--dry"}, error);
    REQUIRE(args);
    CHECK(args->positionals == std::vector<std::string>{"x", "-0.5", "--literal"});
    CHECK(args->all("--pace") == std::vector<std::string>{"5k=4:00/km", "easy=6:00/km"});
    CHECK(args->last("--pace") == "easy=6:00/km");
    CHECK(args->has("--dry"));
    CHECK_FALSE(args->last("--svg"));
    CHECK_FALSE(parse_command_args({"--svg"}, {"--svg"}, {}, error));
    CHECK(error.find("needs a value") != std::string::npos);
    CHECK_FALSE(parse_command_args({"--colour"}, {}, {}, error));
    CHECK(error == "unknown option --colour");
    CHECK_FALSE(parse_command_args({"--dry=1"}, {}, {"--dry"}, error));
}

TEST_CASE("command table: the offline commands are registered") {
    for (const char* name : {"programs", "show", "validate"}) {
        const Command* command = find_command(name);
        REQUIRE(command != nullptr);
        CHECK(command->name == name);
        CHECK(static_cast<bool>(command->run));
    }
    CHECK(find_command("frobnicate") == nullptr);
}
