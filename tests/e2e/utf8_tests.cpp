// Text that is not valid UTF-8, through real processes (treadmilld driving treadmill-sim over
// Modbus TCP, its real socket): a Latin-1 program in the program directory is listed without a
// name and refused at its bad byte; a `start` whose `yaml` holds a Latin-1 byte is refused with
// its column; the daemon keeps running and still starts and watches a good program.
#include <doctest/doctest.h>

#include <fstream>

#include "tests/e2e/e2e_rig.hpp"

using namespace treadmill::e2e;
using treadmill::testing::LineClient;

namespace {

// "name: Hügel" saved in Latin-1: the ü (0xFC) is line 2, column 8.
const char* const kLatin1Program =
    "schema: treadmill-workout/1\nname: H\xfcgel\nsteps:\n  - run: 60 s\n    speed: 6 km/h\n";
const char* const kGoodProgram =
    "schema: treadmill-workout/1\nname: H\xc3\xbcgel\nsteps:\n  - run: 60 s\n    speed: 6 km/h\n";

std::string error_message(const std::optional<json>& reply) {
    if (!reply || (*reply)["ok"] != false) return "";
    return (*reply)["error"]["code"].get<std::string>() + ": " +
           (*reply)["error"]["message"].get<std::string>();
}

}  // namespace

TEST_CASE("e2e UTF-8: Latin-1 programs are refused at their bad byte; the daemon runs on") {
    BoardProcess board(Board::sim_tcp);
    REQUIRE_MESSAGE(board.ready(), board.log());
    DaemonProcess daemon(tcp_bus(board), "control: {countdown: 1 s}\n");
    const std::string file = daemon.dir() + "/huegel.yaml";
    std::ofstream(file, std::ios::binary) << kLatin1Program;
    REQUIRE_MESSAGE(daemon.wait_idle(), daemon.log());

    // Listed, without a name (it does not load).
    const auto listed = daemon.call({{"id", 1}, {"cmd", "programs"}});
    REQUIRE(listed);
    json entry;
    for (const auto& p : (*listed)["programs"])
        if (p["id"] == "huegel") entry = p;
    REQUIRE(entry.is_object());
    CHECK(entry["name"].is_null());

    // Started by id: refused, at the file's line and column.
    const auto by_id = daemon.call({{"id", 2}, {"cmd", "start"}, {"program", "huegel"}});
    CHECK(error_message(by_id) ==
          "bad_value: " + file + ":2:8: error: invalid UTF-8 (byte 0xFC); save the file as UTF-8");

    // The same bytes inline: the request line is not valid UTF-8 (nor JSON); refused with the
    // column of the byte in the line, the connection open.
    LineClient raw(daemon.socket());
    const std::string line =
        "{\"id\":3,\"cmd\":\"start\",\"yaml\":\"" + std::string(kLatin1Program) + "\"}";
    const std::string escaped_line = [&] {  // the newlines of the YAML as JSON escapes
        std::string out;
        for (char c : line) out += c == '\n' ? std::string("\\n") : std::string(1, c);
        return out;
    }();
    REQUIRE(raw.send_raw(escaped_line + "\n"));
    const auto inline_reply = raw.read_json(std::chrono::seconds(5));
    const auto column = escaped_line.find('\xfc') + 1;
    CHECK(error_message(inline_reply) == "bad_json: invalid UTF-8 (byte 0xFC) at column " +
                                             std::to_string(column) + " of the request");
    const auto still = raw.call({{"id", 4}, {"cmd", "status"}});
    REQUIRE(still);
    CHECK((*still)["ok"] == true);

    // Still running, still idle, and the same program saved as UTF-8 starts and is watched.
    CHECK(daemon.child().running());
    CHECK(daemon.state() == "idle");
    const auto started = daemon.start_yaml(kGoodProgram);
    REQUIRE(started);
    REQUIRE_MESSAGE((*started)["ok"] == true, treadmill::json_text(*started));
    LineClient watcher(daemon.socket());
    REQUIRE(watcher.send({{"id", 5}, {"cmd", "watch"}}));
    for (int i = 0; i < 3; ++i) {
        const auto update = watcher.read_json(std::chrono::seconds(5));
        REQUIRE(update);
        CHECK((*update)["status"]["program"]["name"] == "H\xc3\xbcgel");
    }
    const auto stopped = daemon.call({{"id", 6}, {"cmd", "stop"}});
    REQUIRE(stopped);
    CHECK((*stopped)["ok"] == true);
    CHECK(daemon.child().running());
}
