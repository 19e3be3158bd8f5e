// treadmill-sim over Modbus RTU on a socat pty pair (8N1), and the embedded simulator.
#include <doctest/doctest.h>
#include <signal.h>

#include <thread>

#include "sim/embedded_simulator.hpp"
#include "sim/framing.hpp"
#include "tests/sim/sim_process.hpp"
#include "tests/sim/wire_client.hpp"

using namespace treadmill::sim::testing;
using namespace std::chrono_literals;
namespace support = treadmill::testing;
using treadmill::sim::rtu_encode;

namespace {

const WireBytes kReadOutput = rtu_encode(1, {0x03, 0x21, 0x03, 0x00, 0x04});  // reply 13 bytes

treadmill::testing::CommandResult mbpoll_rtu(const std::string& device,
                                             const std::vector<std::string>& args,
                                             const std::vector<std::string>& values = {}) {
    std::vector<std::string> argv{"mbpoll", "-m", "rtu", "-b", "19200", "-P", "none", "-0", "-1"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(device);
    argv.insert(argv.end(), values.begin(), values.end());
    return support::run_command(argv, 10000ms);
}

bool reply_crc_ok(const WireBytes& frame) {
    if (frame.size() < 4) return false;
    return rtu_encode(frame[0], WireBytes(frame.begin() + 1, frame.end() - 2)) == frame;
}

// Bus silence: longer than t3.5 at any baud, so the simulator resynchronises.
void quiet_bus() {
    std::this_thread::sleep_for(20ms);
}

}  // namespace

TEST_CASE("mbpoll over RTU through a pty pair at 8N1: both units, writes, exception 02") {
    support::PtyPair pty;
    SimProcess sim({"--rtu", pty.a(), "--baud", "19200", "--parity", "none"});
    REQUIRE(sim.ready());
    auto read = mbpoll_rtu(pty.b(), {"-a", "1", "-r", "0x2103", "-c", "4"});
    INFO(read.output);
    CHECK(read.exit_code == 0);
    CHECK(read.output.find("[8454]:") != std::string::npos);
    CHECK(mbpoll_rtu(pty.b(), {"-a", "2", "-r", "0x0001"}, {"25"}).exit_code == 0);
    auto back = mbpoll_rtu(pty.b(), {"-a", "2", "-r", "0x0001", "-c", "1"});
    CHECK(back.output.find("[1]: \t25") != std::string::npos);
    auto illegal = mbpoll_rtu(pty.b(), {"-a", "2", "-r", "0x0108", "-c", "1"});
    CHECK(illegal.output.find("Illegal data address") != std::string::npos);
    sim.child().signal(SIGINT);
    CHECK(sim.child().wait_exit(3000ms) == 0);
}

TEST_CASE("--wire 19200,8E1: the reply waits the request's and reply's wire time plus t3.5") {
    support::PtyPair pty;
    SimProcess sim({"--rtu", pty.a(), "--parity", "none", "--wire", "19200,8E1"});
    REQUIRE(sim.ready());
    auto port = open_raw_pty(pty.b());
    REQUIRE(port.valid());
    // (8 + 13) characters of 11 bits at 19200 baud, plus 3.5 characters.
    const double wire_ms = (8 + 13) * 11.0 / 19200 * 1000 + 3.5 * 11.0 / 19200 * 1000;
    for (int i = 0; i < 3; ++i) {
        const auto start = std::chrono::steady_clock::now();
        REQUIRE(port.send(kReadOutput));
        const auto reply = port.receive(13, 2000ms);
        const double took =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        REQUIRE(reply.size() == 13);
        CHECK(reply_crc_ok(reply));
        CHECK(took >= wire_ms);
        CHECK(took < wire_ms + 200.0);
        quiet_bus();
    }
}

TEST_CASE("garbage, truncated and bad-CRC requests on RTU never wedge the server") {
    support::PtyPair pty;
    SimProcess sim({"--rtu", pty.a(), "--parity", "none"});
    REQUIRE(sim.ready());
    auto port = open_raw_pty(pty.b());
    REQUIRE(port.valid());
    // Random garbage.
    WireBytes junk;
    for (int i = 0; i < 300; ++i) junk.push_back(static_cast<std::uint8_t>(i * 37 + 11));
    CHECK(port.send(junk));
    CHECK(port.receive(1, 100ms).empty());
    quiet_bus();
    // A truncated request, then silence.
    CHECK(port.send(WireBytes(kReadOutput.begin(), kReadOutput.begin() + 5)));
    quiet_bus();
    // A request with a bad CRC gets no reply.
    WireBytes bad = kReadOutput;
    bad.back() ^= 0x55;
    CHECK(port.send(bad));
    CHECK(port.receive(1, 100ms).empty());
    quiet_bus();
    // Garbage right before a good request, in one write: skipped, the request answered.
    WireBytes noisy{0x01, 0x03, 0xFF};
    noisy.insert(noisy.end(), kReadOutput.begin(), kReadOutput.end());
    CHECK(port.send(noisy));
    auto reply = port.receive(13, 2000ms);
    CHECK(reply.size() == 13);
    CHECK(reply_crc_ok(reply));
    quiet_bus();
    CHECK(mbpoll_rtu(pty.b(), {"-a", "1", "-r", "0x2100", "-c", "7"}).exit_code == 0);
}

TEST_CASE("RTU fault injection on the wire: corrupt_crc, truncate, garbage, wrong_unit, gap") {
    support::PtyPair pty;
    const auto dir = support::make_temp_dir();
    const std::string sock = dir + "/control.sock";
    SimProcess sim({"--rtu", pty.a(), "--parity", "none", "--control", sock});
    REQUIRE(sim.ready());
    auto port = open_raw_pty(pty.b());
    auto control = connect_unix(sock);
    REQUIRE((port.valid() && control.valid()));
    const auto command = [&control](const std::string& json) {
        control.send(json + "\n");
        return control.receive_line(2000ms);
    };
    const auto exchange = [&port](std::size_t want) {
        port.send(kReadOutput);
        auto r = port.receive(want, 300ms);
        quiet_bus();
        return r;
    };
    CHECK(command(R"({"cmd":"corrupt_crc","unit":1})") == R"({"ok":true})");
    auto r = exchange(13);
    CHECK(r.size() == 13);
    CHECK_FALSE(reply_crc_ok(r));
    command(R"({"cmd":"truncate","unit":1,"bytes":4})");
    CHECK(exchange(13).size() == 9);
    command(R"({"cmd":"garbage","bytes":6})");
    r = exchange(19);
    CHECK(r.size() == 19);
    CHECK(reply_crc_ok(WireBytes(r.begin(), r.begin() + 13)));
    command(R"({"cmd":"wrong_unit","count":1})");
    r = exchange(13);
    REQUIRE(r.size() == 13);
    CHECK(r[0] == 2);
    command(R"({"cmd":"drop","unit":1,"count":1})");
    CHECK(exchange(13).empty());
    command(R"({"cmd":"gap","unit":1,"ms":80,"count":1})");
    const auto start = std::chrono::steady_clock::now();
    port.send(kReadOutput);
    const auto first = port.receive(13, 40ms);
    CHECK(first.size() < 13);
    const auto rest = port.receive(13 - first.size(), 500ms);
    CHECK(first.size() + rest.size() == 13);
    CHECK(std::chrono::steady_clock::now() - start >= 80ms);
    quiet_bus();
    CHECK(exchange(13).size() == 13);
}

TEST_CASE("EmbeddedSimulator: ephemeral TCP port, control(), stop()") {
    auto sim = treadmill::sim::EmbeddedSimulator::start_tcp({"127.0.0.1", 0});
    REQUIRE(sim->port() != 0);
    auto conn = connect_tcp(sim->port());
    REQUIRE(conn.valid());
    CHECK(sim->control({{"cmd", "key"}, {"present", false}})["ok"] == true);
    const auto read_fault = [&conn] {
        conn.send(treadmill::sim::tcp_encode(9, 1, {0x03, 0x21, 0x00, 0x00, 0x01}));
        return conn.receive(11, 2000ms);
    };
    auto reply = read_fault();
    REQUIRE(reply.size() == 11);
    CHECK(reply[10] == 6);  // EF
    CHECK(sim->control({{"cmd", "nope"}})["ok"] == false);
    sim->stop();
    CHECK(sim->control({{"cmd", "state"}})["ok"] == false);
    CHECK_THROWS(treadmill::sim::EmbeddedSimulator::start_tcp({"256.0.0.1", 0}));
}
