// The Python peer seen by a third party, mbpoll: over TCP, and over RTU through a socat pty pair
// at 8N1. Telemetry block, command write, and the access rules' exceptions.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/peers/peer_process.hpp"

using namespace treadmill::testing;

namespace {

// mbpoll's transport arguments for the peer (before the register arguments).
struct Mbpoll {
    std::vector<std::string> transport;  // -m ... options
    std::string device;                  // host or serial device, last before the values

    CommandResult run(int unit, int address, std::vector<std::string> extra,
                      const std::vector<std::string>& values = {}) const {
        std::vector<std::string> argv{"mbpoll"};
        argv.insert(argv.end(), transport.begin(), transport.end());
        argv.insert(argv.end(), {"-a", std::to_string(unit), "-0", "-t", "4", "-r",
                                 std::to_string(address), "-o", "1.0"});
        argv.insert(argv.end(), extra.begin(), extra.end());
        argv.push_back(device);
        argv.insert(argv.end(), values.begin(), values.end());
        return run_command(argv, 10s);
    }
    CommandResult read(int unit, int address, int count) const {
        return run(unit, address, {"-c", std::to_string(count), "-1"});
    }
    CommandResult write(int unit, int address, const std::vector<std::string>& values) const {
        return run(unit, address, {}, values);
    }
};

void check_register_map_over(const Mbpoll& mbpoll, PeerProcess& peer) {
    REQUIRE(peer.ready());

    auto telemetry = mbpoll.read(1, 0x2100, 7);
    INFO(telemetry.output);
    CHECK(telemetry.exit_code == 0);
    for (int address = 0x2100; address <= 0x2106; ++address) {
        CHECK(telemetry.output.find("[" + std::to_string(address) + "]:") != std::string::npos);
    }
    CHECK(telemetry.output.find("[8453]: \t3110") != std::string::npos);  // DC bus 311.0 V

    auto command = mbpoll.write(1, 0x2000, {"18", "3000"});  // RUN forward, 30.00 Hz
    INFO(command.output);
    CHECK(command.exit_code == 0);
    auto echo = mbpoll.read(1, 0x2000, 2);
    CHECK(echo.output.find("[8192]: \t18") != std::string::npos);
    CHECK(echo.output.find("[8193]: \t3000") != std::string::npos);
    auto state = peer.state();
    REQUIRE(state.is_object());
    CHECK(state["writes"].back()["values"] == nlohmann::json::array({18, 3000}));
    CHECK(state["drive"]["running"] == true);

    auto beyond = mbpoll.read(1, 0x2101, 7);  // 0x2107 is not in the map
    CHECK(beyond.exit_code != 0);
    CHECK(beyond.output.find("Illegal data address") != std::string::npos);
    auto read_only = mbpoll.write(1, 0x2103, {"5"});
    CHECK(read_only.exit_code != 0);
    CHECK(read_only.output.find("Illegal data address") != std::string::npos);
    auto too_fast = mbpoll.write(1, 0x2001, {"7000"});  // above Pr.01-00 = 60.00 Hz
    CHECK(too_fast.exit_code != 0);
    CHECK(too_fast.output.find("Illegal data value") != std::string::npos);
    auto reverse = mbpoll.write(1, 0x2000, {"34"});  // 0x0022 REV while Pr.00-23 = 1
    CHECK(reverse.output.find("Illegal data value") != std::string::npos);
    auto incline = mbpoll.read(2, 0x0100, 8);
    CHECK(incline.exit_code == 0);
    CHECK(incline.output.find("[261]: \t") != std::string::npos);
}

}  // namespace

TEST_CASE("peer over TCP: mbpoll reads telemetry, writes the command, sees exceptions") {
    PeerProcess peer({.rtu_device = std::nullopt, .time_scale = 1.0, .wire = std::nullopt});
    Mbpoll mbpoll{{"-m", "tcp", "-p", std::to_string(peer.port())}, "127.0.0.1"};
    check_register_map_over(mbpoll, peer);
}

TEST_CASE("peer over RTU on a socat pty pair at 8N1: the same through mbpoll") {
    PtyPair ptys;
    PeerProcess peer({.rtu_device = ptys.a(), .time_scale = 1.0, .wire = "19200,8E1"});
    Mbpoll mbpoll{{"-m", "rtu", "-b", "19200", "-P", "none", "-s", "1"}, ptys.b()};
    check_register_map_over(mbpoll, peer);
}
