// Safety rules end to end: treadmilld over Modbus TCP against treadmill-sim, faults injected
// through the simulator's control socket, outcome and timing read from the daemon's status and
// the simulator's record of received writes (wall seconds).
#include <doctest/doctest.h>
#include <signal.h>

#include <cmath>

#include "tests/e2e/e2e_rig.hpp"

using namespace treadmill::e2e;

namespace {

// Quick ramps so the belt reaches 10 km/h within ~2 s of the countdown.
const char* const kFastLimits =
    "limits: {accel: 5 km/h/s, decel: 5 km/h/s}\ncontrol: {countdown: 1 s}\n";
const char* const kSteady10 =
    "schema: treadmill-workout/1\nname: e2e steady\nsteps:\n"
    "  - run: 60 s\n    speed: 10 km/h\n";
constexpr double kPeriod = 0.1;

// The boards and a daemon with the belt at 10 km/h.
struct AtSpeed {
    BoardProcess board{Board::sim_tcp};
    std::unique_ptr<DaemonProcess> daemon;

    AtSpeed() {
        REQUIRE_MESSAGE(board.ready(), board.log());
        daemon = std::make_unique<DaemonProcess>(tcp_bus(board), kFastLimits);
        REQUIRE_MESSAGE(daemon->wait_idle(), daemon->log());
        const auto started = daemon->start_yaml(kSteady10);
        REQUIRE(started);
        REQUIRE_MESSAGE((*started)["ok"] == true, started->dump());
        REQUIRE(t::wait_until([&] { return board.polled_state()["belt_kmh"].get<double>() > 9.5; },
                              8s));
    }
};

}  // namespace

TEST_CASE(
    "e2e S1: key pulled while running -> STOP first, in the next cycle; no motion until "
    "key back, reset, start") {
    AtSpeed rig;
    const double t_key = rig.board.wall_s();
    REQUIRE(rig.board.control({{"cmd", "key"}, {"present", false}})["ok"] == true);
    const double t_pulled = rig.board.wall_s();  // the pull happened in [t_key, t_pulled]
    const auto took = rig.daemon->time_to_fault("safety_key", 2s);
    REQUIRE_MESSAGE(took, rig.daemon->log());
    MESSAGE("S1: fault safety_key in the status after " << *took * 1000 << " ms");
    auto after = unit1_writes(rig.board.state(), t_key);
    // A cycle's writes may have raced with the pull itself; those precede it.
    while (!after.empty() && after.front()["t"].get<double>() <= t_pulled &&
           after.front()["values"][0] == kRunForward)
        after.erase(after.begin());
    REQUIRE_FALSE(after.empty());
    CHECK(after.front()["address"] == kCommandAddress);
    CHECK(after.front()["values"][0] == kStop);
    const double latency = after.front()["t"].get<double>() - t_key;
    MESSAGE("S1: first write to the drive after the key pull (STOP) " << latency * 1000 << " ms");
    CHECK(latency <= 2 * kPeriod + 0.05);

    const auto refused = rig.daemon->start_yaml(kSteady10);
    REQUIRE(refused);
    CHECK((*refused)["ok"] == false);
    CHECK((*refused)["error"]["code"] == "refused");
    const auto early_reset = rig.daemon->call({{"id", 3}, {"cmd", "reset"}});
    REQUIRE(early_reset);
    CHECK((*early_reset)["ok"] == false);  // the cause (the key) is not gone
    REQUIRE(rig.board.control({{"cmd", "key"}, {"present", true}})["ok"] == true);
    REQUIRE(t::wait_until([&] { return rig.daemon->status()["key_present"] == true; }, 2s));
    const auto reset = rig.daemon->call({{"id", 4}, {"cmd", "reset"}});
    REQUIRE(reset);
    CHECK_MESSAGE((*reset)["ok"] == true, reset->dump());
    CHECK_MESSAGE(t::wait_until([&] { return rig.daemon->state() == "idle"; }, 5s),
                  rig.daemon->log());
    CHECK_FALSE(any_run_write(drive_writes(rig.board.state(), t_pulled)));
}

TEST_CASE("e2e S2: the bus falls silent -> comm_loss within 0.5 s, fault held until reset") {
    AtSpeed rig;
    const double t_silence = rig.board.wall_s();
    const auto t0 = std::chrono::steady_clock::now();
    const double silenced_at = epoch_now();
    REQUIRE(rig.board.control({{"cmd", "silence"}, {"seconds", 3}})["ok"] == true);
    const auto took = rig.daemon->time_to_fault("comm_loss", 2s);
    REQUIRE_MESSAGE(took, rig.daemon->log());
    // The fault's stamp is when S2 decided; the status is answered between cycles, and a
    // dead-bus cycle ends within the period plus one time-out, so it shows soon after.
    const double latched =
        parse_rfc3339(rig.daemon->status()["fault"]["since"].get<std::string>()) - silenced_at;
    MESSAGE("S2: comm_loss latched " << latched * 1000 << " ms after the silence, seen in the "
                                     << "status after " << *took * 1000 << " ms");
    CHECK(latched <= 0.5);
    CHECK(*took <= 0.5 + 0.1);  // one status poll of slack
    // After the silence the bus answers again; the daemon stays in fault, the belt stays off.
    REQUIRE(t::wait_until([&] { return seconds_since(t0) > 3.5; }, 6s));
    CHECK(rig.daemon->state() == "fault");
    CHECK(rig.daemon->fault_code() == "comm_loss");
    CHECK_FALSE(any_run_write(drive_writes(rig.board.state(), t_silence)));
    const auto reset = rig.daemon->call({{"id", 4}, {"cmd", "reset"}});
    REQUIRE(reset);
    CHECK_MESSAGE((*reset)["ok"] == true, reset->dump());
    CHECK_MESSAGE(t::wait_until([&] { return rig.daemon->state() == "idle"; }, 5s),
                  rig.daemon->log());
    CHECK_FALSE(any_run_write(drive_writes(rig.board.state(), t_silence)));
}

TEST_CASE(
    "e2e S3: treadmilld killed at 10 km/h -> the drive's dead-man stops the belt; a new "
    "daemon resets the comm fault and writes STOP first") {
    AtSpeed rig;
    const auto t0 = std::chrono::steady_clock::now();
    rig.daemon->child().signal(SIGKILL);
    REQUIRE(rig.daemon->child().wait_exit(2s).has_value());
    REQUIRE(t::wait_until([&] { return rig.board.polled_state()["drive"]["fault"] == 49; }, 2s));
    const double to_fault = seconds_since(t0);
    REQUIRE(t::wait_until([&] { return rig.board.polled_state()["belt_kmh"].get<double>() < 0.05; },
                          3s));
    const double to_rest = seconds_since(t0);
    MESSAGE("S3: drive fault 49 after " << to_fault * 1000 << " ms, belt at rest after "
                                        << to_rest * 1000 << " ms");
    CHECK(to_fault <= 0.5 + 0.2);
    CHECK(to_rest <= 0.5 + 10.0 / 3.5 / 10.0 + 0.4);  // dead-man + estop ramp at time-scale 10

    const double t_restart = rig.board.wall_s();
    DaemonProcess second(tcp_bus(rig.board), kFastLimits);
    REQUIRE_MESSAGE(second.wait_idle(), second.log());
    CHECK(second.log().find("drive comm-loss fault (49) left by a previous run: reset") !=
          std::string::npos);
    const auto state = rig.board.state();
    CHECK(state["drive"]["fault"] == 0);
    const auto after = unit1_writes(state, t_restart);
    REQUIRE_FALSE(after.empty());
    CHECK(after.front()["address"] == kCommandAddress);
    CHECK(after.front()["values"][0] == kStop);
    CHECK_FALSE(any_run_write(drive_writes(state, t_restart)));
}

TEST_CASE("e2e S8: a drive fault code (over-current) -> fault with the code and its name") {
    AtSpeed rig;
    const double t_fault = rig.board.wall_s();
    REQUIRE(rig.board.control({{"cmd", "fault"}, {"unit", 1}, {"code", 1}})["ok"] == true);
    const auto took = rig.daemon->time_to_fault("drive_fault", 2s);
    REQUIRE_MESSAGE(took, rig.daemon->log());
    MESSAGE("S8: fault drive_fault in the status after " << *took * 1000 << " ms");
    const auto fault = rig.daemon->status()["fault"];
    CHECK(fault["board_code"] == 1);
    const std::string message = fault["message"].get<std::string>();
    CHECK_MESSAGE(message.find("drive fault 1") != std::string::npos, message);
    CHECK_MESSAGE(
        (message.find("over") != std::string::npos || message.find("Over") != std::string::npos ||
         message.find("oc") != std::string::npos),
        message);
    CHECK_FALSE(any_run_write(drive_writes(rig.board.state(), t_fault + 2 * kPeriod)));
}

TEST_CASE(
    "e2e S10: treadmilld stopped (SIGSTOP) 2 s at speed -> the drive's dead-man stops the "
    "belt; after SIGCONT no motion resumes") {
    AtSpeed rig;
    rig.daemon->child().signal(SIGSTOP);
    const auto t0 = std::chrono::steady_clock::now();
    REQUIRE(
        t::wait_until([&] { return rig.board.polled_state()["drive"]["fault"] == 49; }, 1500ms));
    MESSAGE("S10: drive dead-man (fault 49) after " << seconds_since(t0) * 1000 << " ms");
    REQUIRE(t::wait_until([&] { return seconds_since(t0) >= 2.0; }, 3s));
    CHECK(rig.board.state()["belt_kmh"].get<double>() < 0.05);
    const double t_cont = rig.board.wall_s();  // nothing is written while the daemon is stopped
    rig.daemon->child().signal(SIGCONT);
    // The daemon either trips loop_stall or its watchdog aborts the process.
    std::string outcome;
    REQUIRE(t::wait_until(
        [&] {
            if (!rig.daemon->child().running())
                outcome = "aborted";
            else if (rig.daemon->fault_code() == "loop_stall")
                outcome = "loop_stall";
            return !outcome.empty();
        },
        3s));
    MESSAGE("S10: after SIGCONT the daemon " << outcome);
    // Give a resumed loop time to (wrongly) command motion, then check that it did not.
    REQUIRE(t::wait_until([&] { return seconds_since(t0) >= 3.0; }, 3s));
    CHECK_FALSE(any_run_write(drive_writes(rig.board.state(), t_cont)));
    CHECK(rig.board.state()["belt_kmh"].get<double>() < 0.05);
}
