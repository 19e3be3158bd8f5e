// Issue 5 scenario 11 end to end: the RTU serial device vanishes mid-run (the socat pty pair is
// removed) and comes back under the same path with a restarted treadmill-sim behind it; over TCP
// the board process is killed and restarted on the same port. treadmilld must latch comm_loss
// within 0.5 s, stay alive, re-open the link by itself, keep the fault until `reset`, go through
// `connecting` to `idle`, and never command motion again without a new `start`.
#include <doctest/doctest.h>
#include <signal.h>

#include "tests/e2e/e2e_rig.hpp"

using namespace treadmill::e2e;

namespace {

const char* const kFastLimits =
    "limits: {accel: 5 km/h/s, decel: 5 km/h/s}\ncontrol: {countdown: 1 s}\n";
const char* const kSteady8 =
    "schema: treadmill-workout/1\nname: e2e vanish\nsteps:\n"
    "  - run: 60 s\n    speed: 8 km/h\n";

// treadmill-sim over TCP on a given port (BoardProcess picks its own), restartable.
class TcpSim {
  public:
    explicit TcpSim(std::uint16_t port) : port_(port) {
        child_ = std::make_unique<t::ChildProcess>(
            std::vector<std::string>{TREADMILL_SIM_BIN, "--tcp",
                                     "127.0.0.1:" + std::to_string(port), "--control", control_,
                                     "--time-scale", "10"},
            log_);
    }
    ~TcpSim() {
        child_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    bool ready() {
        return t::wait_until(
            [&] {
                return t::read_file(log_).find("serving") != std::string::npos &&
                       t::tcp_accepts(port_);
            },
            10s);
    }
    json state() {
        std::this_thread::sleep_for(20ms);
        auto reply = t::control_request(control_, {{"cmd", "state"}});
        return reply.is_object() && reply.contains("state") ? reply["state"] : json{};
    }

  private:
    std::uint16_t port_;
    std::string dir_ = t::make_temp_dir();
    std::string control_ = dir_ + "/board.sock";
    std::string log_ = dir_ + "/board.log";
    std::unique_ptr<t::ChildProcess> child_;
};

std::string fault_code(DaemonProcess& daemon) {
    const auto s = daemon.status();
    return s.is_object() && s["fault"].is_object() ? s["fault"]["code"].get<std::string>() : "";
}

bool links_ok(DaemonProcess& daemon) {
    const auto s = daemon.status();
    return s.is_object() && s["links"]["motor"]["ok"] == true &&
           s["links"]["incline"]["ok"] == true;
}

// Starts the steady program and waits until the belt turns at `kmh` or more.
template <class BeltKmh>
void run_belt(DaemonProcess& daemon, BeltKmh belt_kmh, double kmh) {
    REQUIRE_MESSAGE(daemon.wait_idle(), daemon.log());
    const auto started = daemon.start_yaml(kSteady8);
    REQUIRE(started);
    REQUIRE_MESSAGE((*started)["ok"] == true, started->dump());
    REQUIRE_MESSAGE(t::wait_until([&] { return belt_kmh() >= kmh; }, 8s), daemon.log());
}

// Waits for comm_loss; returns when it latched (the fault's time stamp) after `since` (epoch s).
double comm_loss_latency(DaemonProcess& daemon, double since) {
    REQUIRE_MESSAGE(t::wait_until([&] { return fault_code(daemon) == "comm_loss"; }, 3s),
                    daemon.log());
    return parse_rfc3339(daemon.status()["fault"]["since"].get<std::string>()) - since;
}

// After the board is back: the fault holds and no RUN reaches it until reset and start; the
// reset passes through `connecting` (the boards configured again) to `idle`.
template <class BoardState>
void recover_without_motion(DaemonProcess& daemon, BoardState board_state) {
    const auto t_back = std::chrono::steady_clock::now();
    REQUIRE_MESSAGE(t::wait_until([&] { return links_ok(daemon); }, 5s), daemon.log());
    MESSAGE("links ok " << seconds_since(t_back) * 1000 << " ms after the board was back");
    REQUIRE(t::wait_until([&] { return seconds_since(t_back) > 1.0; }, 2s));
    CHECK(daemon.state() == "fault");
    CHECK(fault_code(daemon) == "comm_loss");
    auto writes = drive_writes(board_state());
    REQUIRE_FALSE(writes.empty());
    CHECK(writes.front().command == kStop);  // the first write to the restarted board
    CHECK_FALSE(any_run_write(writes));

    const auto reset = daemon.call({{"id", 5}, {"cmd", "reset"}});
    REQUIRE(reset);
    CHECK_MESSAGE((*reset)["ok"] == true, reset->dump());
    CHECK_MESSAGE(t::wait_until([&] { return daemon.state() == "idle"; }, 10s), daemon.log());
    CHECK(daemon.log().find("re-opened") != std::string::npos);
    REQUIRE(t::wait_until([&] { return seconds_since(t_back) > 3.0; }, 3s));  // idle stays idle
    CHECK(daemon.state() == "idle");
    CHECK_FALSE(any_run_write(drive_writes(board_state())));

    const auto started = daemon.start_yaml(kSteady8);
    REQUIRE(started);
    CHECK_MESSAGE((*started)["ok"] == true, started->dump());
    CHECK_MESSAGE(t::wait_until([&] { return any_run_write(drive_writes(board_state())); }, 5s),
                  daemon.log());
}

}  // namespace

TEST_CASE(
    "e2e scenario 11: the RTU pty vanishes mid-run and comes back -> comm_loss, re-open, "
    "no motion until reset and start") {
    t::PtyPair pty;
    auto board = std::make_unique<BoardProcess>(Board::sim_rtu, pty.a());
    REQUIRE_MESSAGE(board->ready(), board->log());
    DaemonProcess daemon(rtu_bus(pty.b()), kFastLimits);
    run_belt(
        daemon, [&] { return board->polled_state()["belt_kmh"].get<double>(); }, 5.0);

    const double removed_at = epoch_now();
    pty.down();
    const double latched = comm_loss_latency(daemon, removed_at);
    MESSAGE("RTU: comm_loss latched " << latched * 1000 << " ms after the pty was removed");
    CHECK(latched <= 0.5);
    REQUIRE(t::wait_until([&] { return links_ok(daemon) == false; }, 1s));
    // Gone for a while: several re-open attempts fail.
    REQUIRE(t::wait_until([&] { return epoch_now() - removed_at > 1.5; }, 3s));
    CHECK(daemon.child().running());
    CHECK(daemon.state() == "fault");

    board.reset();  // the board end restarts with the pty
    REQUIRE(pty.up());
    board = std::make_unique<BoardProcess>(Board::sim_rtu, pty.a());
    REQUIRE_MESSAGE(board->ready(), board->log());
    recover_without_motion(daemon, [&] { return board->polled_state(); });
    CHECK(daemon.child().running());
}

TEST_CASE(
    "e2e scenario 11 over TCP: the board process killed and restarted on its port -> "
    "comm_loss, reconnect, no motion until reset and start") {
    const auto port = t::free_tcp_port();
    auto board = std::make_unique<TcpSim>(port);
    REQUIRE(board->ready());
    DaemonProcess daemon(
        "bus: {transport: tcp, host: 127.0.0.1, port: " + std::to_string(port) + "}\n",
        kFastLimits);
    run_belt(
        daemon, [&] { return board->state()["belt_kmh"].get<double>(); }, 5.0);

    const double killed_at = epoch_now();
    board.reset();  // SIGKILL: connection reset, then refused
    const double latched = comm_loss_latency(daemon, killed_at);
    MESSAGE("TCP: comm_loss latched " << latched * 1000 << " ms after the board was killed");
    CHECK(latched <= 0.5);
    REQUIRE(t::wait_until([&] { return epoch_now() - killed_at > 1.5; }, 3s));
    CHECK(daemon.child().running());

    board = std::make_unique<TcpSim>(port);
    REQUIRE(board->ready());
    recover_without_motion(daemon, [&] { return board->state(); });
}
