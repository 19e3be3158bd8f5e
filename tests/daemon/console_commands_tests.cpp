// The control API's commands for the runner's console, on a ControlCycle over the FakeTreadmill
// with the API's worker: `status`'s units and fault.resettable, `validate`, `save_program` (and
// its refusals: bad ids, size, existing and built-in ids, errors, an unwritable directory) and
// `session` (the laps and the summary of a completed, a stopped and a faulted session).
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <boost/asio/io_context.hpp>

#include "controller/api/controller_commands.hpp"
#include "controller/api/editor_commands.hpp"
#include "controller/api/off_loop_worker.hpp"
#include "controller/api/session_command.hpp"
#include "controller/api/session_tracker.hpp"
#include "tests/controller/rig.hpp"
#include "tests/support/test_support.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
namespace api = treadmill::api;
namespace programs = treadmill::programs;
using treadmill::controller::State;

namespace {

const std::string kGood =
    "schema: treadmill-workout/1\nname: \"My hills\"\nsteps:\n  - run: 60 s\n    speed: 8 km/h\n";
// Line 5, column 12: a speed that is no speed.
const std::string kBad =
    "schema: treadmill-workout/1\nname: \"Broken\"\nsteps:\n  - run: 60 s\n    speed: fast\n";

std::optional<programs::Profile> profile(programs::Units units) {
    programs::Profile p;
    p.units = units;
    return p;
}

// The command table (controller, editor, session) over a Rig's cycle; this thread is the loop.
struct ConsoleRig {
    explicit ConsoleRig(std::optional<programs::Profile> runner = std::nullopt)
        : catalog({user_dir, dir + "/etc"}, std::move(runner), {}) {
        api::add_editor_commands(table, editor);
        api::add_session_command(table, session_api);
        rig.connect();
        REQUIRE(rig.cycle.state() == State::idle);
    }
    ~ConsoleRig() { std::filesystem::remove_all(dir); }

    // Dispatches and runs the loop's handlers until the reply comes (10 s at most).
    api::Reply ask(const std::string& cmd, const json& request = json::object()) {
        auto slot = std::make_shared<std::optional<api::Reply>>();
        table.dispatch_async(cmd, request, [slot](api::Reply r) { *slot = std::move(r); });
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!*slot && std::chrono::steady_clock::now() < deadline) {
            io.restart();
            io.run_for(5ms);
        }
        REQUIRE_MESSAGE(slot->has_value(), cmd);
        return std::move(**slot);
    }
    // The reply's fields (a reply serialised on the worker is parsed back).
    json fields(const std::string& cmd, const json& request = json::object()) {
        auto reply = ask(cmd, request);
        REQUIRE_MESSAGE(reply.ok(), (reply.ok() ? "" : reply.error().message));
        return reply->is_string() ? json::parse(reply->get<std::string>()) : *reply;
    }
    api::ErrorCode error(const std::string& cmd, const json& request) {
        auto reply = ask(cmd, request);
        REQUIRE_FALSE(reply.ok());
        last_message = reply.error().message;
        return reply.error().code;
    }
    // One cycle, then the tracker sees it (as the daemon's after_cycle).
    void tick() {
        rig.tick();
        tracker.observe(rig.cycle.status(rig.now), rig.cycle.timeline());
    }
    bool tick_until(const std::function<bool()>& pred, treadmill::Duration limit = 120s) {
        const auto end = rig.now + limit;
        while (rig.now < end) {
            if (pred()) return true;
            tick();
        }
        return pred();
    }

    treadmill::testing::Rig rig;
    std::string dir = treadmill::testing::make_temp_dir();
    std::string user_dir = dir + "/user";
    api::ProgramCatalog catalog;
    boost::asio::io_context io;
    api::OffLoopWorker worker{io};
    api::ControllerApi controller{rig.cycle, catalog, [this] { return rig.now; },
                                  nullptr,   {},      &worker};
    api::CommandTable table = api::make_controller_commands(controller);
    api::EditorApi editor{catalog, user_dir, &worker};
    api::SessionTracker tracker;
    api::SessionApi session_api{tracker, &worker};
    std::string last_message;
};

// 30 s of running at 10 km/h up 5 %, then 20 s of recovery at 6 km/h.
programs::Timeline two_steps() {
    auto t = treadmill::testing::make_timeline({{30, 10, 5}, {20, 6}});
    t.steps[1].step_class = programs::StepClass::recover;
    return t;
}

}  // namespace

TEST_CASE("status carries the profile's units, metric without a profile") {
    CHECK(ConsoleRig().fields("status")["status"]["units"] == "metric");
    CHECK(ConsoleRig(profile(programs::Units::imperial)).fields("status")["status"]["units"] ==
          "imperial");
    CHECK(ConsoleRig(profile(programs::Units::metric)).fields("status")["status"]["units"] ==
          "metric");
}

TEST_CASE("fault.resettable: true once the cause is gone, false while the key is out") {
    ConsoleRig r;
    CHECK(r.fields("status")["status"]["fault"].is_null());
    r.rig.hw.key_present = false;
    REQUIRE(r.rig.reach(State::fault, 5s));
    json fault = r.fields("status")["status"]["fault"];
    CHECK(fault["code"] == "safety_key");
    CHECK(fault["resettable"] == false);
    CHECK(r.error("reset", json::object()) == api::ErrorCode::refused);
    r.rig.hw.key_present = true;
    r.rig.run_for(300ms);
    fault = r.fields("status")["status"]["fault"];
    CHECK(fault["resettable"] == true);
    CHECK(r.ask("reset").ok());
}

TEST_CASE("validate: valid or not, with each diagnostic's severity, line, col and message") {
    ConsoleRig r;
    const json good = r.fields("validate", {{"yaml", kGood}});
    CHECK(good["valid"] == true);
    CHECK(good["diagnostics"].empty());
    const json bad = r.fields("validate", {{"yaml", kBad}});
    CHECK(bad["valid"] == false);
    REQUIRE(bad["diagnostics"].size() >= 1);
    const json& first = bad["diagnostics"][0];
    CHECK(first["severity"] == "error");
    CHECK(first["line"] == 5);
    CHECK(first["col"] == 12);
    CHECK(first["message"].get<std::string>().find("fast") != std::string::npos);
    const json broken = r.fields("validate", {{"yaml", "steps: [\n"}});
    CHECK(broken["valid"] == false);
    CHECK(broken["diagnostics"][0]["line"] >= 1);
    // Answered later: the parse runs on the worker.
    bool answered = false;
    r.table.dispatch_async("validate", {{"yaml", kGood}}, [&](api::Reply) { answered = true; });
    CHECK_FALSE(answered);
    CHECK(r.error("validate", json::object()) == api::ErrorCode::bad_request);
    CHECK(r.error("validate", {{"yaml", std::string(64 * 1024 + 1, '#')}}) ==
          api::ErrorCode::bad_value);
}

TEST_CASE("save_program writes ID.yaml into the user dir; start and programs find it") {
    ConsoleRig r;
    const json saved = r.fields("save_program", {{"program", "my-hills"}, {"yaml", kGood}});
    CHECK(saved["program"] == "my-hills");
    CHECK(saved["path"] == r.user_dir + "/my-hills.yaml");
    const std::string path = r.user_dir + "/my-hills.yaml";
    CHECK(treadmill::testing::read_file(path) == kGood);
    bool listed = false;
    const json list = r.fields("programs")["programs"];
    for (const auto& p : list)
        if (p["id"] == "my-hills") listed = p["name"] == "My hills" && p["source"] == path;
    CHECK(listed);
    CHECK(r.ask("start", {{"program", "my-hills"}}).ok());
    CHECK(r.rig.cycle.state() == State::countdown);
    // No temp file is left beside it.
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(r.user_dir)) files += e.exists();
    CHECK(files == 1);
}

TEST_CASE("save_program refuses bad ids, big texts, programs with errors and wrong types") {
    ConsoleRig r;
    for (const std::string& id : std::vector<std::string>{"../x", "", "My-Hills", "a/b", "x.yaml",
                                                          ".hidden", std::string(65, 'a'), "ü"}) {
        CAPTURE(id);
        CHECK(r.error("save_program", {{"program", id}, {"yaml", kGood}}) ==
              api::ErrorCode::bad_value);
        CHECK(r.last_message.find("a program id is 1 to 64 of a-z, 0-9 and '-'") == 0);
    }
    CHECK_FALSE(std::filesystem::exists(r.user_dir));
    CHECK_FALSE(std::filesystem::exists(r.dir + "/x.yaml"));
    CHECK(r.fields("save_program", {{"program", std::string(64, 'a')},
                                    {"yaml", kGood}})["program"] == std::string(64, 'a'));

    CHECK(r.error("save_program",
                  {{"program", "big"}, {"yaml", kGood + std::string(64 * 1024, '#')}}) ==
          api::ErrorCode::bad_value);
    CHECK(r.last_message.find("larger than 64 KiB") != std::string::npos);
    CHECK(r.error("save_program", {{"program", "broken"}, {"yaml", kBad}}) ==
          api::ErrorCode::bad_value);
    CHECK(r.last_message.find("the program has errors: broken.yaml:5:12: error:") == 0);
    CHECK_FALSE(std::filesystem::exists(r.user_dir + "/broken.yaml"));
    CHECK(r.error("save_program", {{"program", "x"}, {"yaml", kGood}, {"overwrite", "yes"}}) ==
          api::ErrorCode::bad_request);
    CHECK(r.error("save_program", {{"program", "x"}}) == api::ErrorCode::bad_request);
    CHECK(r.error("save_program", {{"program", 5}, {"yaml", kGood}}) ==
          api::ErrorCode::bad_request);
}

TEST_CASE("save_program: an existing id or a built-in's needs overwrite") {
    ConsoleRig r;
    REQUIRE(r.ask("save_program", {{"program", "mine"}, {"yaml", kGood}}).ok());
    const std::string other =
        "schema: treadmill-workout/1\nname: \"Other\"\nsteps:\n"
        "  - run: 30 s\n    speed: 9 km/h\n";
    CHECK(r.error("save_program", {{"program", "mine"}, {"yaml", other}, {"overwrite", false}}) ==
          api::ErrorCode::refused);
    CHECK(r.last_message.find("exists already") != std::string::npos);
    CHECK(treadmill::testing::read_file(r.user_dir + "/mine.yaml") == kGood);
    CHECK(r.ask("save_program", {{"program", "mine"}, {"yaml", other}, {"overwrite", true}}).ok());
    CHECK(treadmill::testing::read_file(r.user_dir + "/mine.yaml") == other);

    CHECK(r.error("save_program", {{"program", "5k-time-trial"}, {"yaml", kGood}}) ==
          api::ErrorCode::refused);
    CHECK(r.last_message.find("built-in") != std::string::npos);
    CHECK(
        r.ask("save_program", {{"program", "5k-time-trial"}, {"yaml", kGood}, {"overwrite", true}})
            .ok());
    CHECK(r.catalog.load("5k-time-trial", {}).timeline->name == "My hills");

    // A program of programs.dirs is protected the same way.
    std::filesystem::create_directories(r.dir + "/etc");
    std::ofstream(r.dir + "/etc/gym.yaml") << kGood;
    CHECK(r.error("save_program", {{"program", "gym"}, {"yaml", other}}) ==
          api::ErrorCode::refused);
    CHECK(r.last_message.find(r.dir + "/etc/gym.yaml") != std::string::npos);
}

TEST_CASE("save_program into a directory it cannot make: internal, nothing written") {
    ConsoleRig r;
    std::ofstream(r.user_dir) << "a file where the directory should be";
    CHECK(r.error("save_program", {{"program", "x"}, {"yaml", kGood}}) == api::ErrorCode::internal);
    CHECK(r.last_message.find("cannot save the program") == 0);
}

TEST_CASE("session: null before the first; a completed session's laps and summary") {
    ConsoleRig r;
    CHECK(r.fields("session")["session"].is_null());
    REQUIRE(r.rig.cycle.start(two_steps(), r.rig.now).ok);
    REQUIRE(r.tick_until([&] { return r.rig.cycle.state() == State::running; }));
    REQUIRE(r.tick_until([&] { return r.rig.cycle.status(r.rig.now).elapsed_s > 10.0; }));
    json s = r.fields("session")["session"];
    CHECK(s["program"]["name"] == "Test program");
    CHECK(s["program"]["steps"].size() == 2);
    CHECK(s["step"] == 0);
    CHECK(s["laps"].empty());
    CHECK(s["summary"].is_null());

    REQUIRE(r.tick_until([&] { return r.rig.cycle.state() == State::idle; }));
    s = r.fields("session")["session"];
    CHECK(s["step"].is_null());
    REQUIRE(s["laps"].size() == 2);
    CHECK(s["laps"][0]["step"] == 0);
    CHECK(s["laps"][0]["kind"] == "run");
    CHECK(s["laps"][0]["time_s"].get<double>() == doctest::Approx(30).epsilon(0.02));
    CHECK(s["laps"][1]["kind"] == "recover");
    CHECK(s["laps"][1]["time_s"].get<double>() == doctest::Approx(20).epsilon(0.02));
    const double d0 = s["laps"][0]["distance_m"], d1 = s["laps"][1]["distance_m"];
    CHECK(d0 > 50);  // at most 83 m at 10 km/h, less the ramp-up
    CHECK(d0 < 84);
    CHECK(s["laps"][0]["avg_pace_s_per_km"].get<double>() ==
          doctest::Approx(s["laps"][0]["time_s"].get<double>() / d0 * 1000));
    const json& summary = s["summary"];
    CHECK(summary["ended"] == "completed");
    CHECK(summary["time_s"].get<double>() == doctest::Approx(50).epsilon(0.02));
    CHECK(summary["distance_m"].get<double>() >= d0 + d1);
    CHECK(summary["ascent_m"].get<double>() > 0);
    // 5 % of the first step's distance, plus the recovery while the deck comes down.
    CHECK(summary["ascent_m"].get<double>() > d0 * 0.04);
    CHECK(summary["ascent_m"].get<double>() < (d0 + d1) * 0.05);
    CHECK(summary["best_pace_s_per_km"].is_null());  // no lap of 100 m
    CHECK(summary["avg_pace_s_per_km"].is_number());
}

TEST_CASE("session: a stopped session keeps only the laps done; a fault says so; a start clears") {
    ConsoleRig r;
    REQUIRE(r.rig.cycle.start(two_steps(), r.rig.now).ok);
    REQUIRE(r.tick_until([&] {
        const auto st = r.rig.cycle.status(r.rig.now);
        return st.step && st.step->index == 1;
    }));
    REQUIRE(r.rig.cycle.stop(r.rig.now).ok);
    REQUIRE(r.tick_until([&] { return r.rig.cycle.state() == State::idle; }));
    json s = r.fields("session")["session"];
    CHECK(s["laps"].size() == 1);
    CHECK(s["summary"]["ended"] == "stopped");
    CHECK(s["summary"]["time_s"].get<double>() > 30);

    REQUIRE(r.rig.cycle.start(two_steps(), r.rig.now).ok);
    r.tick();
    s = r.fields("session")["session"];
    CHECK(s["laps"].empty());
    CHECK(s["summary"].is_null());
    REQUIRE(r.tick_until([&] { return r.rig.cycle.state() == State::running; }));
    REQUIRE(r.rig.cycle.estop(r.rig.now).ok);
    REQUIRE(r.tick_until([&] { return r.rig.cycle.state() == State::fault; }));
    r.tick();
    CHECK(r.fields("session")["session"]["summary"]["ended"] == "fault");
}
