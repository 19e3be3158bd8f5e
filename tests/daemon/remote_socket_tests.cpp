// The remote socket (api.remote_socket) on the real Daemon in-process (embedded simulator, real
// Unix sockets): every command that could start motion, clear a fault, change the machine or
// its pairing is refused `refused` with a reason, and never reaches its handler; the commands
// that watch (status, watch, programs, show, session) or stop work, and speed/incline only with
// api.remote_adjust.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "tests/daemon/in_process_daemon.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
namespace t = treadmill::testing;

namespace {

constexpr const char* kSteady =
    "schema: treadmill-workout/1\nname: remote test\nsteps:\n  - run: 10 min\n    speed: 8 km/h\n";

json call(t::LineClient& client, const json& request) {
    const auto reply = client.call(request, 5s);
    REQUIRE(reply);
    return *reply;
}

// The reply is the remote socket's refusal of `cmd`, not the command's own answer.
void check_refused(const json& reply, const std::string& cmd) {
    INFO(treadmill::json_text(reply));
    CHECK(reply["ok"] == false);
    CHECK(reply["error"]["code"] == "refused");
    const std::string message = reply["error"]["message"];
    CHECK(message.rfind(cmd + " is not allowed on the remote socket: ", 0) == 0);
}

void start_running(t::ConfiguredDaemon& daemon) {
    const auto started = daemon.call({{"id", 2}, {"cmd", "start"}, {"yaml", kSteady}});
    REQUIRE(started);
    REQUIRE_MESSAGE((*started)["ok"] == true, treadmill::json_text(*started));
    REQUIRE(t::wait_until([&] { return daemon.state() == "running"; }, 20s));
}

}  // namespace

TEST_CASE("the remote socket refuses every command that is not watching or stopping") {
    t::ConfiguredDaemon daemon("", ", remote_socket: @DIR@/remote.sock");
    const std::string remote = daemon.dir() + "/remote.sock";
    struct stat st {};
    REQUIRE(::stat(remote.c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 0777) == 0660);

    t::LineClient client(remote);
    const json start = call(client, {{"id", 1}, {"cmd", "start"}, {"yaml", kSteady}});
    check_refused(start, "start");
    CHECK(start["error"]["message"] ==
          "start is not allowed on the remote socket: someone must be at the treadmill");
    CHECK(daemon.state() == "idle");  // nothing started

    const std::vector<json> refused{
        {{"cmd", "start"}, {"program", "anything"}},
        {{"cmd", "resume"}},
        {{"cmd", "reset"}},
        {{"cmd", "estop"}},
        {{"cmd", "skip"}},
        {{"cmd", "sim"}, {"command", {{"cmd", "state"}}}},
        {{"cmd", "pair_issue"}},
        {{"cmd", "pair_redeem"}, {"code", "123456"}, {"name", "phone"}},
        {{"cmd", "pair_check"}, {"token", "x"}},
        {{"cmd", "pair_list"}},
        {{"cmd", "pair_revoke"}, {"device", "x"}},
        {{"cmd", "save_program"}, {"name", "x"}, {"yaml", kSteady}},
        {{"cmd", "validate"}, {"yaml", kSteady}},
        {{"cmd", "speed"}, {"value", "10 km/h"}},
        {{"cmd", "incline"}, {"value", "2 %"}},
        // The runner's record and the machine's log book stay with people at the treadmill.
        {{"cmd", "history"}},
        {{"cmd", "history_show"}, {"session", 1}},
        {{"cmd", "bests"}},
        {{"cmd", "progress"}},
        {{"cmd", "export"}, {"session", 1}, {"format", "fit"}},
        {{"cmd", "profile_update_from_mile"}, {"write", true}},
        {{"cmd", "service"}},
        {{"cmd", "service_done"}, {"item", "lubrication"}},
        {{"cmd", "no_such_command"}},
    };
    int id = 10;
    for (json request : refused) {
        request["id"] = ++id;
        const json reply = call(client, request);
        CHECK(reply["id"] == id);
        check_refused(reply, request["cmd"]);
    }
    CHECK(call(client, {{"id", 40}, {"cmd", "speed"}, {"value", "10 km/h"}})["error"]["message"] ==
          "speed is not allowed on the remote socket: api.remote_adjust is off in the daemon's "
          "configuration");
    CHECK(call(client, {{"id", 41}, {"cmd", "estop"}})["error"]["message"].get<std::string>().find(
              "use stop") != std::string::npos);
    // Nothing reached the machine: no pairing code issued, no program saved, still idle.
    CHECK(daemon.state() == "idle");
    const auto pairs = daemon.call({{"id", 42}, {"cmd", "pair_list"}});
    REQUIRE(pairs);
    CHECK((*pairs)["devices"].empty());
    CHECK_FALSE(std::filesystem::exists(daemon.dir() + "/user/x.yaml"));
    // The local socket still accepts them.
    const auto local_sim =
        daemon.call({{"id", 43}, {"cmd", "sim"}, {"command", {{"cmd", "state"}}}});
    REQUIRE(local_sim);
    CHECK((*local_sim)["ok"] == true);
}

TEST_CASE("the remote socket watches, pauses and stops a running belt, and never resumes it") {
    t::ConfiguredDaemon daemon("", ", remote_socket: @DIR@/remote.sock");
    t::LineClient client(daemon.dir() + "/remote.sock");

    const json status = call(client, {{"id", 1}, {"cmd", "status"}});
    CHECK(status["ok"] == true);
    CHECK(status["status"]["state"] == "idle");
    CHECK(call(client, {{"id", 2}, {"cmd", "programs"}})["ok"] == true);
    // show: a built-in program by id, and a program's text, expanded by the daemon.
    const json builtin = call(client, {{"id", 20}, {"cmd", "show"}, {"program", "8x400m"}});
    REQUIRE_MESSAGE(builtin["ok"] == true, treadmill::json_text(builtin));
    CHECK(builtin["id"] == 20);
    CHECK(builtin["program"]["id"] == "8x400m");
    CHECK(builtin["program"]["name"] == "8 x 400 m @ 5K");
    CHECK(builtin["program"]["steps"].size() > 8);  // 8 repeats with their recoveries
    CHECK(builtin["program"]["steps"][0]["class"] == "warmup");
    const json text = call(client, {{"id", 21}, {"cmd", "show"}, {"yaml", kSteady}});
    REQUIRE_MESSAGE(text["ok"] == true, treadmill::json_text(text));
    CHECK(text["program"]["name"] == "remote test");
    REQUIRE(text["program"]["steps"].size() == 1);
    CHECK(text["program"]["steps"][0]["speed_kmh"] == 8.0);
    CHECK(text["program"]["total_s"] == 600.0);
    CHECK(daemon.state() == "idle");  // showing a program starts nothing

    start_running(daemon);
    const json paused = call(client, {{"id", 3}, {"cmd", "pause"}});
    CHECK_MESSAGE(paused["ok"] == true, treadmill::json_text(paused));
    REQUIRE(t::wait_until([&] { return daemon.state() == "paused"; }, 10s));
    check_refused(call(client, {{"id", 4}, {"cmd", "resume"}}), "resume");
    CHECK(daemon.state() == "paused");

    const auto resumed = daemon.call({{"id", 5}, {"cmd", "resume"}});  // someone at the belt
    REQUIRE(resumed);
    REQUIRE(t::wait_until([&] { return daemon.state() == "running"; }, 20s));
    check_refused(call(client, {{"id", 6}, {"cmd", "speed"}, {"value", "10 km/h"}}), "speed");

    t::LineClient watcher(daemon.dir() + "/remote.sock");
    const json watching = call(watcher, {{"id", 7}, {"cmd", "watch"}});
    CHECK(watching["ok"] == true);
    CHECK(watching["status"]["state"] == "running");
    const auto streamed = watcher.read_line(5s);
    REQUIRE(streamed);
    CHECK(json::parse(*streamed)["status"]["state"].is_string());

    const json stopped = call(client, {{"id", 8}, {"cmd", "stop"}});
    CHECK_MESSAGE(stopped["ok"] == true, treadmill::json_text(stopped));
    CHECK(t::wait_until([&] { return daemon.state() == "idle"; }, 20s));
    // The summary of the session just ended (the MQTT bridge's session_ended event).
    const json session = call(client, {{"id", 9}, {"cmd", "session"}});
    CHECK_MESSAGE(session["ok"] == true, treadmill::json_text(session));
    CHECK(session["session"]["summary"]["ended"] == "stopped");
}

TEST_CASE(
    "with api.remote_adjust: true the remote socket changes speed and incline, still never "
    "starts") {
    t::ConfiguredDaemon daemon("", ", remote_socket: @DIR@/remote.sock, remote_adjust: true");
    t::LineClient client(daemon.dir() + "/remote.sock");
    check_refused(call(client, {{"id", 1}, {"cmd", "start"}, {"yaml", kSteady}}), "start");
    start_running(daemon);
    const json speed = call(client, {{"id", 2}, {"cmd", "speed"}, {"value", "10 km/h"}});
    CHECK_MESSAGE(speed["ok"] == true, treadmill::json_text(speed));
    CHECK(t::wait_until(
        [&] { return daemon.status()["speed"]["target_kmh"].get<double>() == 10.0; }, 10s));
    const json incline = call(client, {{"id", 3}, {"cmd", "incline"}, {"value", "2 %"}});
    CHECK_MESSAGE(incline["ok"] == true, treadmill::json_text(incline));
    check_refused(call(client, {{"id", 4}, {"cmd", "reset"}}), "reset");
    CHECK(call(client, {{"id", 5}, {"cmd", "stop"}})["ok"] == true);
}

TEST_CASE(
    "no remote socket unless configured; a remote socket equal to the local one is an error") {
    t::ConfiguredDaemon daemon;
    CHECK_FALSE(std::filesystem::exists(daemon.dir() + "/remote.sock"));
    const auto load = treadmill::daemon::parse_config(
        "api: {socket: /tmp/x.sock, remote_socket: /tmp/x.sock}\n", "t.yaml");
    CHECK_FALSE(load.ok());
    const auto bad_bool = treadmill::daemon::parse_config(
        "api: {remote_socket: /tmp/r.sock, remote_adjust: yes}\n", "t.yaml");
    CHECK_FALSE(bad_bool.ok());
}
