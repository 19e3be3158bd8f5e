// treadmillctl's daemon-facing side: requests from words, the watch screen, connect errors.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "controller/api/ctl_pair.hpp"
#include "controller/api/ctl_requests.hpp"
#include "controller/api/ctl_run.hpp"
#include "controller/api/watch_screen.hpp"
#include "tests/support/test_support.hpp"

using nlohmann::json;
namespace api = treadmill::api;

namespace {

json request(const std::string& name, const std::vector<std::string>& args) {
    const auto r = api::build_request(name, args);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error()));
    return *r;
}

json idle_status() {
    return json::parse(R"({"state":"running","reason":null,"fault":null,"reset_pending":false,
      "program":{"id":"8x400m","name":"8 x 400 m","seeds":[]},
      "step":{"index":2,"count":10,"class":"run","cue":"go","rep":1,"reps":8,
              "remaining_s":80,"remaining_m":400},
      "elapsed_s":600,"distance_m":1500,"countdown_s":null,
      "speed":{"program_kmh":14.4,"target_kmh":14.4,"actual_kmh":14.3},"pace_s_per_km":250,
      "incline":{"program_pct":1,"target_pct":1,"actual_pct":1},"key_present":true,
      "links":{"motor":{"ok":true,"last_good_s_ago":0.1,"errors":0},
               "incline":{"ok":true,"last_good_s_ago":0.1,"errors":0}},"ready":true})");
}

}  // namespace

TEST_CASE("speed and incline: bare numbers get units, a sign makes a delta") {
    CHECK(request("speed", {"12"}) == json{{"cmd", "speed"}, {"value", "12 km/h"}});
    CHECK(request("speed", {"+0.5"}) == json{{"cmd", "speed"}, {"delta", "+0.5 km/h"}});
    CHECK(request("speed", {"-1"}) == json{{"cmd", "speed"}, {"delta", "-1 km/h"}});
    CHECK(request("speed", {"7.5", "mph"}) == json{{"cmd", "speed"}, {"value", "7.5 mph"}});
    CHECK(request("speed", {"4:30/km"}) == json{{"cmd", "speed"}, {"value", "4:30/km"}});
    CHECK(request("incline", {"6"}) == json{{"cmd", "incline"}, {"value", "6%"}});
    CHECK(request("incline", {"2.5%"}) == json{{"cmd", "incline"}, {"value", "2.5%"}});
    CHECK_FALSE(api::build_request("speed", {}).ok());
}

TEST_CASE("start: a program id or a file, with --pace overrides") {
    CHECK(request("start", {"8x400m", "--pace", "5k=4:10/km", "--pace=easy=6:00/km"}) ==
          json{{"cmd", "start"},
               {"program", "8x400m"},
               {"pace", {{"5k", "4:10/km"}, {"easy", "6:00/km"}}}});
    const std::string file = treadmill::testing::make_temp_dir() + "/mine.yaml";
    std::ofstream(file) << "format: treadmill-workout/1\n";
    CHECK(request("start", {file}) ==
          json{{"cmd", "start"}, {"yaml", "format: treadmill-workout/1\n"}});
    CHECK_FALSE(api::build_request("start", {}).ok());
    CHECK_FALSE(api::build_request("start", {"a", "b"}).ok());
    CHECK_FALSE(api::build_request("start", {"a", "--pace", "nope"}).ok());
    CHECK_FALSE(api::build_request("start", {"a", "--fast"}).ok());
}

TEST_CASE("simple commands, sim JSON, and usage errors") {
    for (const char* name :
         {"pause", "resume", "stop", "skip", "estop", "reset", "status", "watch"}) {
        CHECK(api::is_daemon_command(name));
        CHECK(request(name, {}) == json{{"cmd", name}});
        CHECK_FALSE(api::build_request(name, {"extra"}).ok());
    }
    CHECK(request("sim", {R"({"cmd":"key","present":false})"}) ==
          json{{"cmd", "sim"}, {"command", {{"cmd", "key"}, {"present", false}}}});
    CHECK_FALSE(api::build_request("sim", {"{not json"}).ok());
    CHECK_FALSE(api::is_daemon_command("validate"));
}

TEST_CASE("the watch screen shows state, step, rep, bars, speed, pace and incline") {
    api::WatchMemory memory;
    const std::string screen = api::render_watch_screen(idle_status(), memory);
    CHECK(screen.find("treadmill  running") != std::string::npos);
    CHECK(screen.find("program 8 x 400 m") != std::string::npos);
    CHECK(screen.find("step    3/10  run  rep 1/8") != std::string::npos);
    CHECK(screen.find("\"go\"") != std::string::npos);
    CHECK(screen.find("1:20 left") != std::string::npos);
    CHECK(screen.find("time    10:00   distance 1.50 km") != std::string::npos);
    CHECK(screen.find("speed   14.3 km/h (target 14.4)   pace 4:10/km") != std::string::npos);
    CHECK(screen.find("incline 1.0 %") != std::string::npos);
    CHECK(api::progress_bar(0.5, 17) == "[#####.....] 50%");
    CHECK(api::progress_bar(2.0, 17) == "[##########] 100%");
    CHECK_FALSE(api::watch_summary(idle_status(), memory).has_value());
    json over = idle_status();
    over["state"] = "idle";
    CHECK(api::watch_summary(over, memory) ==
          std::optional<std::string>("workout over: 10:00, 1.50 km\n"));
}

TEST_CASE("the summary waits for the recorder's end, then announces this workout's new bests") {
    api::WatchMemory memory;
    json running = idle_status();
    running["history"] = {{"session", 7}, {"last_session", nullptr}};
    api::render_watch_screen(running, memory);
    json over = running;
    over["state"] = "idle";
    CHECK_FALSE(api::watch_summary(over, memory).has_value());  // the end not written yet
    over["history"] = {
        {"session", nullptr},
        {"last_session", {{"id", 7}, {"new_bests", {"New mile best: 6:41, \u22120:07"}}}}};
    CHECK(api::watch_summary(over, memory) ==
          std::optional<std::string>("workout over: 10:00, 1.50 km\nNew mile best: 6:41, "
                                     "\u22120:07\n"));
    // The paces, the ascent, and the energy estimate labelled as one, when the summary has them.
    over["history"]["last_session"]["avg_pace_s_per_km"] = 400.4;
    over["history"]["last_session"]["best_pace_s_per_km"] = 298.6;
    over["history"]["last_session"]["ascent_m"] = 42.4;
    over["history"]["last_session"]["energy_kcal"] = 512.6;
    over["history"]["last_session"]["energy_note"] =
        "estimate: ACSM walking/running equations, gross";
    CHECK(api::watch_summary(over, memory) ==
          std::optional<std::string>("workout over: 10:00, 1.50 km\npace average 6:40/km, best "
                                     "4:59/km\nascent 42 m, energy about "
                                     "513 kcal (estimate: ACSM walking/running equations, "
                                     "gross)\nNew mile best: 6:41, \u22120:07\n"));
    over["history"]["last_session"].erase("energy_kcal");             // no body mass in the profile
    over["history"]["last_session"]["best_pace_s_per_km"] = nullptr;  // never moved
    CHECK(api::watch_summary(over, memory) ==
          std::optional<std::string>("workout over: 10:00, 1.50 km\npace average 6:40/km\n"
                                     "ascent 42 m\nNew mile best: 6:41, \u22120:07\n"));
    // Another session's bests (this workout was not recorded) are not announced.
    over["history"]["last_session"]["id"] = 6;
    CHECK(api::watch_summary(over, memory) ==
          std::optional<std::string>("workout over: 10:00, 1.50 km\n"));
}

TEST_CASE("watch with a history that never opened: no session keys, the summary still comes") {
    api::WatchMemory memory;
    json running = idle_status();
    running["history"] = {{"database", "/x/history.db"},
                          {"recording", false},
                          {"ok", false},
                          {"last_error", "unable to open database file"}};
    api::render_watch_screen(running, memory);
    json over = running;
    over["state"] = "idle";
    CHECK(api::watch_summary(over, memory) ==
          std::optional<std::string>("workout over: 10:00, 1.50 km\n"));
    // A last session that carries no figures and no bests (an older daemon's status).
    api::WatchMemory recorded;
    running["history"] = {{"session", 3}};
    api::render_watch_screen(running, recorded);
    over["history"] = {{"session", nullptr}, {"last_session", {{"id", 3}}}};
    CHECK(api::watch_summary(over, recorded) ==
          std::optional<std::string>("workout over: 10:00, 1.50 km\n"));
}

TEST_CASE("the workout bar counts the current step's part: it ends with the last step") {
    // 17 steps (8 x 400 m); the run went faster than estimated, which must not matter.
    api::WatchMemory memory;
    json s = idle_status();
    s["step"]["count"] = 17;
    s["step"]["index"] = 16;
    s["step"]["remaining_s"] = 600;
    const auto bars = [](const std::string& screen) {
        std::vector<std::string> out;
        for (std::size_t at = screen.find('['); at != std::string::npos;
             at = screen.find('[', at + 1))
            out.push_back(screen.substr(screen.find(']', at) + 2,
                                        screen.find('\n', at) - screen.find(']', at) - 2));
        return out;
    };
    auto shown = bars(api::render_watch_screen(s, memory));
    REQUIRE(shown.size() == 2);
    CHECK(shown[0].rfind("0%", 0) == 0);   // the last step starts
    CHECK(shown[1].rfind("94%", 0) == 0);  // 16 of 17 steps done
    s["step"]["remaining_s"] = 6;
    shown = bars(api::render_watch_screen(s, memory));
    CHECK(shown[0].rfind("99%", 0) == 0);
    CHECK(shown[1].rfind("100%", 0) == 0);  // 16.99 / 17 (never behind the step bar)
    // Halfway through step 3 of 10: (2 + 0.5) / 10.
    api::WatchMemory fresh;
    json mid = idle_status();
    mid["step"]["remaining_s"] = 100;
    (void)api::render_watch_screen(mid, fresh);
    mid["step"]["remaining_s"] = 50;
    shown = bars(api::render_watch_screen(mid, fresh));
    CHECK(shown[0].rfind("50%", 0) == 0);
    CHECK(shown[1].rfind("25%", 0) == 0);
}

TEST_CASE("no daemon: a clear message and exit 1; a usage error exits 2") {
    std::ostringstream out, err;
    const std::string socket = treadmill::testing::make_temp_dir() + "/none.sock";
    const api::CtlContext context{socket, false, out, err};
    CHECK(api::run_daemon_command("status", {}, context) == 1);
    CHECK(err.str().find("treadmilld is not running") != std::string::npos);
    CHECK(api::run_daemon_command("speed", {}, context) == 2);
}

TEST_CASE("pair: a PIN for a runner or a viewer, the list, a revoke; usage errors") {
    CHECK(request("pair", {}) == json{{"cmd", "pair_issue"}, {"role", "runner"}});
    CHECK(request("pair", {"--viewer"}) == json{{"cmd", "pair_issue"}, {"role", "viewer"}});
    CHECK(request("pair", {"--list"}) == json{{"cmd", "pair_list"}});
    CHECK(request("pair", {"--revoke", "d-0a1b2c3d"}) ==
          json{{"cmd", "pair_revoke"}, {"device_id", "d-0a1b2c3d"}});
    CHECK(request("pair", {"--revoke=d-0a1b2c3d"}) ==
          json{{"cmd", "pair_revoke"}, {"device_id", "d-0a1b2c3d"}});
    for (const auto& bad : std::vector<std::vector<std::string>>{{"--revoke"},
                                                                 {"--list", "--viewer"},
                                                                 {"--revoke", "x", "--list"},
                                                                 {"extra"},
                                                                 {"--revoke="}}) {
        CAPTURE(bad.size());
        const auto r = api::build_request("pair", bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().find("usage: pair") == 0);
    }
}

TEST_CASE("pair prints the PIN alone on its first line, then its validity; the list as rows") {
    const auto issued = api::pair_text(request("pair", {}),
                                       {{"pin", "042917"}, {"role", "runner"}, {"expires_s", 120}});
    CHECK(issued.substr(0, 7) == "042917\n");
    CHECK(issued.find("valid for 2 minutes") != std::string::npos);
    CHECK(api::pair_text(request("pair", {"--list"}), {{"devices", json::array()}}) ==
          "no paired devices\n");
    const json devices = {{"devices",
                           {{{"device_id", "d-0a1b2c3d"},
                             {"device", "Tablet"},
                             {"role", "viewer"},
                             {"paired_utc", "2026-12-07T12:00:00.000Z"}}}}};
    CHECK(api::pair_text(request("pair", {"--list"}), devices) ==
          "d-0a1b2c3d  viewer  2026-12-07T12:00:00.000Z  Tablet\n");
    CHECK(api::pair_text(request("pair", {"--revoke", "d-0a1b2c3d"}), json::object()) ==
          "pair: revoked d-0a1b2c3d\n");
}
