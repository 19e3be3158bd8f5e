// treadmill-sim over Modbus TCP, with real clients (mbpoll, pymodbus, raw sockets).
#include <doctest/doctest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/framing.hpp"
#include "tests/sim/sim_process.hpp"
#include "tests/sim/wire_client.hpp"

using namespace treadmill::sim::testing;
using namespace std::chrono_literals;
namespace support = treadmill::testing;

namespace {
std::string tcp_arg(std::uint16_t port) {
    return "127.0.0.1:" + std::to_string(port);
}

// A Modbus TCP "read holding registers" request.
WireBytes tcp_read(std::uint16_t txn, std::uint8_t unit, std::uint16_t addr, std::uint16_t n) {
    auto pdu =
        treadmill::sim::Pdu{0x03, static_cast<std::uint8_t>(addr >> 8),
                            static_cast<std::uint8_t>(addr), 0, static_cast<std::uint8_t>(n)};
    return treadmill::sim::tcp_encode(txn, unit, pdu);
}
}  // namespace

TEST_CASE("usage errors exit 2 with a message") {
    auto none = support::run_command({TREADMILL_SIM_BIN}, 5000ms);
    CHECK(none.exit_code == 2);
    CHECK(none.output.find("--tcp") != std::string::npos);
    auto bad = support::run_command({TREADMILL_SIM_BIN, "--tcp", "nohost"}, 5000ms);
    CHECK(bad.exit_code == 2);
    auto parity = support::run_command({TREADMILL_SIM_BIN, "--rtu", "/x", "--parity", "q"}, 5000ms);
    CHECK(parity.exit_code == 2);
    CHECK(parity.output.find("parity") != std::string::npos);
    auto wire = support::run_command({TREADMILL_SIM_BIN, "--rtu", "/x", "--wire", "fast"}, 5000ms);
    CHECK(wire.exit_code == 2);
}

TEST_CASE("mbpoll reads, writes and gets exception 02 over TCP; SIGTERM exits cleanly") {
    const auto port = support::free_tcp_port();
    SimProcess sim({"--tcp", tcp_arg(port)});
    REQUIRE(sim.ready());
    auto read = mbpoll_tcp(port, {"-a", "1", "-r", "0x2103", "-c", "4"});
    CHECK(read.exit_code == 0);
    CHECK(read.output.find("[8454]:") != std::string::npos);  // 0x2106
    auto write = mbpoll_tcp(port, {"-a", "1", "-r", "0x010C"}, {"55"});
    CHECK(write.exit_code == 0);
    auto back = mbpoll_tcp(port, {"-a", "1", "-r", "0x010C", "-c", "1"});
    CHECK(back.output.find("[268]: \t55") != std::string::npos);
    auto illegal = mbpoll_tcp(port, {"-a", "1", "-r", "0x2107", "-c", "1"});
    CHECK(illegal.exit_code != 0);
    CHECK(illegal.output.find("Illegal data address") != std::string::npos);
    auto incline = mbpoll_tcp(port, {"-a", "2", "-r", "0x0100", "-c", "8"});
    CHECK(incline.exit_code == 0);
    sim.child().signal(SIGTERM);
    CHECK(sim.child().wait_exit(3000ms) == 0);
}

TEST_CASE("pymodbus reads and writes over TCP") {
    const auto port = support::free_tcp_port();
    SimProcess sim({"--tcp", tcp_arg(port)});
    REQUIRE(sim.ready());
    auto r = support::run_command({"/usr/bin/python3", TREADMILL_SIM_TEST_DIR "/pymodbus_client.py",
                                   "127.0.0.1", std::to_string(port)},
                                  20000ms);
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("OK") != std::string::npos);
}

TEST_CASE("several TCP clients at once; garbage drops only that connection") {
    const auto port = support::free_tcp_port();
    SimProcess sim({"--tcp", tcp_arg(port)});
    REQUIRE(sim.ready());
    auto a = connect_tcp(port);
    auto b = connect_tcp(port);
    auto junk = connect_tcp(port);
    REQUIRE((a.valid() && b.valid() && junk.valid()));
    CHECK(a.send(tcp_read(1, 1, 0x2100, 7)));
    CHECK(b.send(tcp_read(2, 2, 0x0100, 8)));
    CHECK(a.receive(9 + 14, 2000ms).size() == 23);
    auto reply_b = b.receive(9 + 16, 2000ms);
    REQUIRE(reply_b.size() == 25);
    CHECK(reply_b[1] == 2);
    CHECK(reply_b[6] == 2);
    // Garbage, a truncated header, then nonsense on one connection.
    CHECK(junk.send(WireBytes{0xFF, 0xFF, 0x12, 0x34, 0xFF, 0xFF, 0x01, 0x02, 0x03}));
    CHECK(junk.receive(1, 500ms).empty());
    // The others still work; a half request then its rest is answered.
    auto req = tcp_read(3, 1, 0x2101, 1);
    CHECK(a.send(WireBytes(req.begin(), req.begin() + 5)));
    CHECK(a.send(WireBytes(req.begin() + 5, req.end())));
    CHECK(a.receive(11, 2000ms).size() == 11);
    CHECK(mbpoll_tcp(port, {"-a", "1", "-r", "0x2100", "-c", "7"}).exit_code == 0);
}

TEST_CASE("the --control socket takes JSON lines") {
    const auto port = support::free_tcp_port();
    const auto dir = support::make_temp_dir();
    const std::string sock = dir + "/control.sock";
    SimProcess sim({"--tcp", tcp_arg(port), "--control", sock});
    REQUIRE(sim.ready());
    auto c = connect_unix(sock);
    REQUIRE(c.valid());
    CHECK(c.send(std::string("{\"cmd\":\"key\",\"present\":false}\n")));
    CHECK(c.receive_line(2000ms) == R"({"ok":true})");
    CHECK(c.send(std::string("not json\n")));
    CHECK(c.receive_line(2000ms).find("\"ok\":false") != std::string::npos);
    auto fault = mbpoll_tcp(port, {"-a", "1", "-r", "0x2100", "-c", "1"});
    CHECK(fault.output.find("[8448]: \t6") != std::string::npos);
    CHECK(c.send(std::string("{\"cmd\":\"state\"}\n")));
    const auto state = nlohmann::json::parse(c.receive_line(2000ms), nullptr, false);
    REQUIRE(!state.is_discarded());
    CHECK(state["state"]["key_present"] == false);
    // A whole command, a NUL, then junk (nlohmann alone stops at the NUL): refused, not run.
    CHECK(c.send(std::string("{\"cmd\":\"key\",\"present\":true}") + '\0' + "junk\n"));
    CHECK(c.receive_line(2000ms) ==
          R"({"error":"bad json: a NUL byte at column 29 of the line","ok":false})");
    CHECK(c.send(std::string("{\"cmd\":\"state\"}\n")));
    const auto after = nlohmann::json::parse(c.receive_line(2000ms), nullptr, false);
    CHECK(after["state"]["key_present"] == false);
}

TEST_CASE("a --scenario file runs its steps on the wall clock") {
    const auto port = support::free_tcp_port();
    const auto dir = support::make_temp_dir();
    {
        std::ofstream f(dir + "/scenario.yaml");
        f << "- at: \"300 ms\"\n  do: {cmd: key, present: false}\n"
             "- at: \"1 s\"\n  do: {cmd: fault, unit: 2, code: 4}\n";
    }
    const std::string sock = dir + "/control.sock";
    SimProcess sim(
        {"--tcp", tcp_arg(port), "--control", sock, "--scenario", dir + "/scenario.yaml"});
    REQUIRE(sim.ready());
    auto c = connect_unix(sock);
    REQUIRE(c.valid());
    const auto query = [&c] {
        c.send(std::string("{\"cmd\":\"state\"}\n"));
        return nlohmann::json::parse(c.receive_line(2000ms), nullptr, false);
    };
    CHECK(support::wait_until([&] { return query()["state"]["key_present"] == false; }, 3000ms));
    CHECK(support::wait_until([&] { return query()["state"]["incline"]["fault"] == 4; }, 3000ms));
    CHECK(query()["state"]["wall_s"].get<double>() >= 1.0);

    std::ofstream(dir + "/bad.yaml") << "- at: soon\n  do: {cmd: key}\n";
    auto bad = support::run_command(
        {TREADMILL_SIM_BIN, "--tcp", "127.0.0.1:0", "--scenario", dir + "/bad.yaml"}, 5000ms);
    CHECK(bad.exit_code == 2);
    CHECK(bad.output.find("bad duration") != std::string::npos);
}
