// The controller's API commands around programs: the catalog's cache of program names (files
// are read again only when they changed) and start/show/programs doing their reading on the
// worker thread, with `start` applied on the loop thread unless a stop came in between.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "controller/api/controller_commands.hpp"
#include "controller/api/off_loop_worker.hpp"
#include "controller/api/program_catalog.hpp"
#include "tests/controller/rig.hpp"
#include "tests/support/test_support.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
namespace api = treadmill::api;
namespace programs = treadmill::programs;
using treadmill::controller::State;

namespace {

std::string program_text(const std::string& name) {
    return "schema: treadmill-workout/1\nname: \"" + name +
           "\"\nsteps:\n  - run: 60 s\n    speed: 8 km/h\n";
}

// Counts the reads of each file (and notes the thread) through the catalog's seam.
struct CountingReader {
    std::mutex mutex;
    std::map<std::string, int> reads;
    std::thread::id last_thread;

    api::ProgramCatalog::FileReader reader() {
        return [this](const std::string& path, programs::Diagnostics& d) {
            {
                std::lock_guard lock(mutex);
                ++reads[std::filesystem::path(path).filename().string()];
                last_thread = std::this_thread::get_id();
            }
            return programs::read_text_file(path, d);
        };
    }
    int total() {
        std::lock_guard lock(mutex);
        int n = 0;
        for (const auto& [file, count] : reads) n += count;
        return n;
    }
};

json entry(const json& list, const std::string& id) {
    for (const auto& item : list)
        if (item["id"] == id) return item;
    return nullptr;
}

}  // namespace

TEST_CASE("programs twice does not read unchanged files again; a changed file is read again") {
    const std::string dir = treadmill::testing::make_temp_dir();
    std::ofstream(dir + "/alpha.yaml") << program_text("Alpha");
    std::ofstream(dir + "/beta.yaml") << program_text("Beta");
    CountingReader counter;
    const api::ProgramCatalog catalog({dir}, std::nullopt, {}, counter.reader());

    const json first = catalog.list();
    CHECK(counter.total() == 2);
    CHECK(entry(first, "alpha")["name"] == "Alpha");
    CHECK(entry(first, "beta")["name"] == "Beta");
    CHECK(entry(first, "5k-time-trial")["source"] == "builtin");
    CHECK(catalog.list() == first);
    CHECK(counter.total() == 2);

    std::ofstream(dir + "/beta.yaml") << program_text("Beta, rewritten");
    const json third = catalog.list();
    CHECK(counter.reads["alpha.yaml"] == 1);
    CHECK(counter.reads["beta.yaml"] == 2);
    CHECK(entry(third, "beta")["name"] == "Beta, rewritten");

    std::filesystem::remove(dir + "/alpha.yaml");
    CHECK(entry(catalog.list(), "alpha").is_null());
    CHECK(counter.total() == 3);
    // start and show always read the file as it is now.
    CHECK(catalog.load("beta", {}).timeline.has_value());
    CHECK(counter.reads["beta.yaml"] == 3);
    std::filesystem::remove_all(dir);
}

TEST_CASE("programs lists each program's tags: a built-in's, a file's, [] for a broken file") {
    const std::string dir = treadmill::testing::make_temp_dir();
    std::ofstream(dir + "/tagged.yaml") << "schema: treadmill-workout/1\nname: \"Tagged\"\n"
                                        << "tags: [hills, custom]\nsteps:\n  - run: 60 s\n"
                                        << "    speed: 8 km/h\n";
    std::ofstream(dir + "/broken.yaml") << "schema: treadmill-workout/1\nsteps: 3\n";
    const api::ProgramCatalog catalog({dir}, std::nullopt, {});
    const json list = catalog.list();
    CHECK(entry(list, "8x400m")["tags"] == json({"intervals", "speed", "vo2max"}));
    CHECK(entry(list, "tagged")["tags"] == json({"hills", "custom"}));
    CHECK(entry(list, "broken")["name"].is_null());
    CHECK(entry(list, "broken")["tags"] == json::array());
    CHECK(catalog.list() == list);  // the same from the cache
    std::filesystem::remove_all(dir);
}

namespace {

// The controller's command table over a Rig's cycle, with a worker; this thread is the loop.
struct CommandsRig {
    treadmill::testing::Rig rig;
    CountingReader counter;
    std::string dir = treadmill::testing::make_temp_dir();
    api::ProgramCatalog catalog{{dir}, std::nullopt, {}, counter.reader()};
    boost::asio::io_context io;
    api::OffLoopWorker worker{io};
    api::ControllerApi api{rig.cycle, catalog, [this] { return rig.now; }, nullptr, {}, &worker};
    api::CommandTable table = api::make_controller_commands(api);

    CommandsRig() {
        std::ofstream(dir + "/steady.yaml") << program_text("Steady");
        rig.connect();
        REQUIRE(rig.cycle.state() == State::idle);
    }
    ~CommandsRig() { std::filesystem::remove_all(dir); }

    // Dispatches; the reply when it came now, else nullopt.
    std::optional<api::Reply> ask(const std::string& cmd, const json& request,
                                  std::shared_ptr<std::optional<api::Reply>> slot = nullptr) {
        if (!slot) slot = std::make_shared<std::optional<api::Reply>>();
        table.dispatch_async(cmd, request, [slot](api::Reply r) { *slot = std::move(r); });
        return *slot;
    }
    // Runs the loop's handlers until the reply in `slot` arrives.
    bool wait(const std::shared_ptr<std::optional<api::Reply>>& slot,
              std::chrono::milliseconds timeout = 10s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!*slot && std::chrono::steady_clock::now() < deadline) {
            io.restart();
            io.run_for(10ms);
        }
        return slot->has_value();
    }
};

}  // namespace

TEST_CASE("start reads its program on the worker, answers later, and starts on the loop thread") {
    CommandsRig r;
    auto slot = std::make_shared<std::optional<api::Reply>>();
    CHECK_FALSE(r.ask("start", {{"program", "steady"}}, slot).has_value());  // not yet
    CHECK(r.rig.cycle.state() == State::idle);
    REQUIRE(r.wait(slot));
    REQUIRE_MESSAGE((*slot)->ok(), ((*slot)->ok() ? "" : (*slot)->error().message));
    CHECK(r.counter.last_thread != std::this_thread::get_id());  // read off the loop
    CHECK(r.rig.cycle.state() == State::countdown);
    CHECK(r.rig.cycle.status(r.rig.now).program->name == "Steady");
}

TEST_CASE("show and programs answer later with the program and the list") {
    CommandsRig r;
    auto show = std::make_shared<std::optional<api::Reply>>();
    r.ask("show", {{"yaml", program_text("Sent")}}, show);
    auto list = std::make_shared<std::optional<api::Reply>>();
    r.ask("programs", json::object(), list);
    auto bad = std::make_shared<std::optional<api::Reply>>();
    r.ask("show", {{"yaml", "steps: ["}}, bad);
    REQUIRE(r.wait(show));
    REQUIRE(r.wait(list));
    REQUIRE(r.wait(bad));
    REQUIRE((*show)->ok());
    REQUIRE((*show)->value().is_string());  // serialised on the worker
    CHECK(json::parse((*show)->value().get<std::string>())["program"]["name"] == "Sent");
    REQUIRE((*list)->ok());
    CHECK(entry((*list)->value()["programs"], "steady")["name"] == "Steady");
    CHECK(entry((*list)->value()["programs"], "steady")["duration_s"] == 60.0);  // on the worker
    CHECK(entry((*list)->value()["programs"], "steady")["chart"] ==
          json::parse("[[0,8,0],[60,8,0]]"));
    REQUIRE_FALSE((*bad)->ok());
    CHECK((*bad)->error().code == api::ErrorCode::bad_value);
    // Bad arguments are answered at once, without the worker.
    const auto at_once = r.ask("start", {{"program", 5}});
    REQUIRE(at_once);
    CHECK(at_once->error().code == api::ErrorCode::bad_request);
}

TEST_CASE("a stop, pause, estop or reset that comes while a start is read cancels that start") {
    for (const char* interrupt : {"stop", "pause", "estop", "reset"}) {
        CAPTURE(interrupt);
        CommandsRig r;
        auto slot = std::make_shared<std::optional<api::Reply>>();
        r.ask("start", {{"program", "steady"}}, slot);
        r.ask(interrupt, json::object());  // refused (nothing runs), but it came after the start
        REQUIRE(r.wait(slot));
        REQUIRE_FALSE((*slot)->ok());
        CHECK((*slot)->error().code == api::ErrorCode::refused);
        CHECK((*slot)->error().message.find("not started") != std::string::npos);
        CHECK(r.rig.cycle.state() != State::countdown);
        CHECK(r.rig.cycle.state() != State::running);
    }
}

TEST_CASE("after the worker stopped (the daemon shuts down) no start is applied") {
    CommandsRig r;
    auto slot = std::make_shared<std::optional<api::Reply>>();
    r.ask("start", {{"program", "steady"}}, slot);
    r.worker.stop();
    CHECK_FALSE(r.wait(slot, 500ms));
    CHECK(r.rig.cycle.state() == State::idle);
}

TEST_CASE("with read_profile_at_each_load, each load reads the profile as it is now") {
    const std::string dir = treadmill::testing::make_temp_dir();
    const std::string profile = dir + "/profile.yaml";
    const auto write_profile = [&](const std::string& easy) {
        std::ofstream(profile) << "schema: treadmill-profile/1\npaces: {easy: \"" << easy
                               << "\"}\n";
    };
    const std::string program =
        "schema: treadmill-workout/1\nname: E\nsteps:\n"
        "  - run: 60 s\n    pace: easy\n";
    api::ProgramCatalog catalog({dir}, std::nullopt, {});
    catalog.read_profile_at_each_load({profile, {}});

    write_profile("6:00/km");
    auto loaded = catalog.load_text(program, {});
    REQUIRE(loaded.timeline);
    CHECK(loaded.timeline->steps[0].speed_kmh == doctest::Approx(10));
    REQUIRE(loaded.timeline->source);
    CHECK(loaded.timeline->source->yaml == program);
    const json used = json::parse(loaded.timeline->source->profile_json);
    CHECK(used["profile"] == profile);
    CHECK(used["references"]["easy"] == "6:00/km");

    write_profile("5:00/km");  // as `profile update-from-mile --yes` would
    loaded = catalog.load_text(program, {{"jog", "7 km/h"}});
    REQUIRE(loaded.timeline);
    CHECK(loaded.timeline->steps[0].speed_kmh == doctest::Approx(12));
    CHECK(json::parse(loaded.timeline->source->profile_json)["overrides"]["jog"] == "7 km/h");

    // An invalid profile fails the load with its own errors (nothing runs at a guessed pace).
    std::ofstream(profile) << "schema: treadmill-profile/1\npaces: {easy: fast}\n";
    loaded = catalog.load_text(program, {});
    CHECK_FALSE(loaded.timeline);
    REQUIRE_FALSE(loaded.diagnostics.empty());
    CHECK(loaded.diagnostics[0].to_string().find("profile.yaml") != std::string::npos);
    std::filesystem::remove_all(dir);
}
