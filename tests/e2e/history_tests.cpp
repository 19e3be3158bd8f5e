// The history end to end: treadmilld with its embedded simulator (a real process, real Modbus)
// records a time-scaled workout that treadmillctl then reads back; kill -9 mid-workout and a
// restart leave an `interrupted` session that lost at most about a second of samples.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <regex>

#include "history/history_store.hpp"
#include "history/sqlite_db.hpp"
#include "tests/e2e/e2e_rig.hpp"
#include "tests/e2e/history_daemon.hpp"

using namespace treadmill::e2e;

namespace {

// 60 s warm-up, 2 × (400 m at 12 km/h, 30 s jog), 30 s cool-down: 390 s of workout.
const char* const kProgram =
    "schema: treadmill-workout/1\nname: e2e history\nsteps:\n"
    "  - warmup: 60 s\n    speed: 8 km/h\n"
    "  - repeat: 2\n    steps:\n"
    "      - run: 400 m\n        speed: 12 km/h\n"
    "      - recover: 30 s\n        speed: 6 km/h\n"
    "  - cooldown: 30 s\n    speed: 6 km/h\n";

}  // namespace

TEST_CASE("a time-scaled workout is recorded: session, laps, totals, bests") {
    const std::string dir = t::make_temp_dir();
    // The profile the config names (read for the body mass: the energy estimate).
    std::ofstream(dir + "/none.yaml") << "schema: treadmill-profile/1\nbody_mass: 70 kg\n";
    SimDaemon daemon(dir, "20");
    REQUIRE(daemon.wait_state("idle", 15s));
    const auto started = daemon.call({{"cmd", "start"}, {"yaml", kProgram}});
    REQUIRE(started);
    REQUIRE((*started)["ok"] == true);
    REQUIRE(daemon.wait_state("running", 10s));
    REQUIRE(daemon.wait_state("idle", 60s));
    // The end is written by the writer thread just after the cycle that saw it.
    REQUIRE(
        t::wait_until([&] { return daemon.status()["history"]["last_session"].is_object(); }, 5s));

    // The end-of-workout summary `watch` prints: the paces (390 s over about 1083 m; the
    // fastest part at 12 km/h), the ascent (a flat program: 0) and the energy estimate,
    // labelled as one.
    const json last = daemon.status()["history"]["last_session"];
    CHECK(last["avg_pace_s_per_km"].get<double>() == doctest::Approx(360).epsilon(0.05));
    CHECK(last["best_pace_s_per_km"].get<double>() == doctest::Approx(300).epsilon(0.04));
    CHECK(last["ascent_m"] == 0.0);
    CHECK(last["energy_kcal"].get<double>() > 50);
    CHECK(last["energy_note"].get<std::string>().rfind("estimate", 0) == 0);

    const json list = ctl_json(daemon.socket(), {"history"});
    REQUIRE(list["sessions"].size() == 1);
    const json& s = list["sessions"][0];
    // The documented shape of `history --json`, key by key.
    std::vector<std::string> keys;
    for (const auto& item : s.items()) keys.push_back(item.key());
    std::sort(keys.begin(), keys.end());
    CHECK(keys == std::vector<std::string>{"distance_m", "duration_s", "ended", "fault_code", "id",
                                           "name", "program_id", "simulated", "start_utc",
                                           "utc_offset_s"});
    CHECK(s["name"] == "e2e history");
    CHECK(s["fault_code"].is_null());
    CHECK(s["utc_offset_s"].is_number_integer());
    CHECK(std::regex_match(s["start_utc"].get<std::string>(),
                           std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)")));
    CHECK(s["distance_m"].get<double>() == doctest::Approx(1083).epsilon(0.03));
    CHECK(s["ended"] == "completed");
    CHECK(s["simulated"] == true);
    CHECK(s["program_id"].is_string());
    // 390 s as written, plus the belt's acceleration into each 400 m (the steps end by distance).
    CHECK(s["duration_s"].get<double>() >= 389);
    CHECK(s["duration_s"].get<double>() <= 410);

    const json shown =
        ctl_json(daemon.socket(), {"history", "show", std::to_string(s["id"].get<int>())});
    const json& session = shown["session"];
    const json& laps = session["laps"];
    REQUIRE(laps.size() == 6);
    const std::vector<std::string> kinds{"warmup", "run", "recover", "run", "recover", "cooldown"};
    double lap_sum_m = 0;
    for (std::size_t i = 0; i < laps.size(); ++i) {
        CAPTURE(i);
        CHECK(laps[i]["kind"] == kinds[i]);
        lap_sum_m += laps[i]["distance_m"].get<double>();
    }
    CHECK(laps[0]["time_s"].get<double>() == doctest::Approx(60).epsilon(0.05));
    CHECK(laps[1]["distance_m"].get<double>() == doctest::Approx(400).epsilon(0.03));
    CHECK(laps[3]["distance_m"].get<double>() == doctest::Approx(400).epsilon(0.03));
    CHECK(laps[1]["max_speed_kmh"].get<double>() == doctest::Approx(12).epsilon(0.03));
    CHECK(laps[2]["active"] == false);
    CHECK(lap_sum_m == doctest::Approx(session["distance_m"].get<double>()).epsilon(0.001));
    // A sample per cycle at 20x (2 s of workout each), distance never decreasing (checked by
    // the bests' search in the store too).
    CHECK(session["samples"].get<int>() >= 390 / 3);

    // Simulated sessions count only with --all; the 400 m best is one of the 12 km/h reps.
    CHECK(ctl_json(daemon.socket(), {"bests"})["bests"].empty());
    const json bests = ctl_json(daemon.socket(), {"bests", "--all"})["bests"];
    REQUIRE_FALSE(bests.empty());
    CHECK(bests[0]["distance"] == "400m");
    CHECK(bests[0]["time_s"].get<double>() == doctest::Approx(120).epsilon(0.04));
    CHECK(bests[0]["session"] == s["id"]);
    CHECK(std::regex_match(bests[0]["date"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\d)")));
    CHECK(bests[0].size() == 4);  // distance, time_s, session, date

    // The tables a runner reads (without --json): the session's row and the 400 m best.
    const auto table =
        t::run_command({TREADMILLCTL_BIN, "--socket", daemon.socket(), "history"}, 10s);
    CHECK(table.exit_code == 0);
    CHECK(table.output.find("PROGRAM") != std::string::npos);
    CHECK(table.output.find("completed, simulated") != std::string::npos);
    const auto best_table =
        t::run_command({TREADMILLCTL_BIN, "--socket", daemon.socket(), "bests", "--all"}, 10s);
    CHECK(best_table.exit_code == 0);
    CHECK(best_table.output.rfind("400m ", 0) == 0);
    CHECK(best_table.output.find("session " + std::to_string(s["id"].get<int>())) !=
          std::string::npos);

    // This week's totals hold the session (with --all: it is simulated).
    const json progress = ctl_json(daemon.socket(), {"progress", "--all"});
    REQUIRE(progress["weeks"].size() == 12);
    CHECK(progress["weeks"].back()["sessions"] == 1);
    CHECK(progress["weeks"].back()["distance_m"].get<double>() ==
          doctest::Approx(session["distance_m"].get<double>()));
    CHECK(ctl_json(daemon.socket(), {"progress"})["weeks"].back()["sessions"] == 0);
    const auto svg = t::run_command({TREADMILLCTL_BIN, "--socket", daemon.socket(), "progress",
                                     "--all", "--svg", dir + "/progress.svg"},
                                    10s);
    CHECK(svg.exit_code == 0);
    const std::string chart = t::read_file(dir + "/progress.svg");
    std::size_t bars = 0;  // one per week (the background is a rect too)
    for (auto at = chart.find("fill=\"#2c7fb8\""); at != std::string::npos;
         at = chart.find("fill=\"#2c7fb8\"", at + 1))
        ++bars;
    CHECK(bars == 12);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

TEST_CASE("kill -9 mid-workout: the next start marks the session interrupted, ~1 s lost") {
    const std::string dir = t::make_temp_dir();
    double elapsed_at_kill = 0;
    {
        SimDaemon daemon(dir, "1");
        REQUIRE(daemon.wait_state("idle", 15s));
        REQUIRE((*daemon.call({{"cmd", "start"}, {"yaml", kProgram}}))["ok"] == true);
        REQUIRE(t::wait_until(
            [&] {
                const auto st = daemon.status();
                return st["elapsed_s"].is_number() && st["elapsed_s"].get<double>() >= 4.5;
            },
            20s));
        elapsed_at_kill = daemon.status()["elapsed_s"].get<double>();
        daemon.child().signal(SIGKILL);
        REQUIRE(daemon.child().wait_exit(5s));
    }
    SimDaemon again(dir, "1");
    REQUIRE(again.wait_state("idle", 15s));
    const json list = ctl_json(again.socket(), {"history"});
    REQUIRE(list["sessions"].size() == 1);
    const json& s = list["sessions"][0];
    CHECK(s["ended"] == "interrupted");
    CHECK(s["simulated"] == false);
    const double recorded = s["duration_s"].get<double>();
    MESSAGE("workout clock at the kill >= " << elapsed_at_kill << " s, last sample " << recorded
                                            << " s");
    CHECK(recorded >= elapsed_at_kill - 1.25);
    const json shown =
        ctl_json(again.socket(), {"history", "show", std::to_string(s["id"].get<int>())});
    REQUIRE(shown["session"]["laps"].size() == 1);
    CHECK(shown["session"]["laps"][0]["time_s"].get<double>() == doctest::Approx(recorded));
    CHECK(shown["session"]["laps"][0]["distance_m"].get<double>() > 0);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

TEST_CASE("a copy taken while the daemon is stopped mid-write opens and passes integrity_check") {
    const std::string dir = t::make_temp_dir();
    SimDaemon daemon(dir, "20");
    REQUIRE(daemon.wait_state("idle", 15s));
    REQUIRE((*daemon.call({{"cmd", "start"}, {"yaml", kProgram}}))["ok"] == true);
    REQUIRE(daemon.wait_state("running", 10s));
    const std::string copy = dir + "/copy";
    std::filesystem::create_directory(copy);
    // Random moments (the seed printed, so a failing moment can be replayed), each 0.3-1.3 s
    // after the last: they fall anywhere in the writer's commit cycle of about a second.
    const auto seed = static_cast<unsigned>(std::random_device{}());
    INFO("copy moments seed " << seed);
    std::mt19937 moments(seed);
    std::uniform_int_distribution<int> delay_ms(300, 1300);
    for (int round = 0; round < 3; ++round) {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(moments)));
        daemon.child().signal(SIGSTOP);
        for (const char* suffix : {"", "-wal"}) {
            std::filesystem::copy_file(daemon.database() + suffix, copy + "/history.db" + suffix,
                                       std::filesystem::copy_options::overwrite_existing);
        }
        std::filesystem::remove(copy + "/history.db-shm");
        daemon.child().signal(SIGCONT);
        treadmill::history::SqliteDb db(copy + "/history.db");
        CHECK(db.text_of("PRAGMA integrity_check") == "ok");
        CHECK(std::stoi(db.text_of("SELECT COUNT(*) FROM samples")) > 0);
    }
    daemon.call({{"cmd", "stop"}});
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

namespace {

// Writes zeros to `path` until the file system refuses (ENOSPC); the bytes written.
std::size_t fill_up(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return 0;
    const std::string block(4096, '\0');
    std::size_t written = 0;
    while (std::fwrite(block.data(), 1, block.size(), f) == block.size() && std::fflush(f) == 0) {
        written += block.size();
    }
    std::fclose(f);
    return written;
}

}  // namespace

TEST_CASE("a full disk: the workout runs on and stops safely; the failure is reported") {
    const std::string dir = t::make_temp_dir();
    const std::string db_dir = dir + "/small";
    std::filesystem::create_directory(db_dir);
    // A 1 MiB tmpfs over db_dir, seen only by the daemon (its own mount namespace).
    SimDaemon daemon(dir, "20",
                     {"unshare", "-m", "--propagation", "private", "sh", "-c",
                      "mount -t tmpfs -o size=1m tmpfs \"$0\" && exec \"$@\"", db_dir},
                     db_dir);
    if (!daemon.wait_state("idle", 15s)) {
        MESSAGE("skipped: the daemon did not start inside unshare -m (mounting refused?): "
                << t::read_file(daemon.log_path()));
        return;
    }
    REQUIRE((*daemon.call({{"cmd", "start"}, {"yaml", kProgram}}))["ok"] == true);
    REQUIRE(daemon.wait_state("running", 10s));
    // The daemon's view of db_dir, through its root in /proc.
    const std::string inside =
        "/proc/" + std::to_string(daemon.child().pid()) + "/root" + db_dir + "/filler";
    REQUIRE(fill_up(inside) > 0);
    REQUIRE(t::wait_until([&] { return daemon.status()["history"]["ok"] == false; }, 20s));
    const json history = daemon.status()["history"];
    MESSAGE("status.history: " << history.dump());
    CHECK(history["write_errors"].get<int>() > 0);
    CHECK(history["lost"].get<int>() > 0);
    CHECK(history["last_error"].get<std::string>().find("full") != std::string::npos);
    CHECK(daemon.status()["state"] == "running");  // the workout goes on
    REQUIRE((*daemon.call({{"cmd", "stop"}}))["ok"] == true);
    REQUIRE(daemon.wait_state("idle", 20s));
    CHECK(daemon.status()["fault"].is_null());
    CHECK(t::read_file(daemon.log_path()).find("the workout goes on") != std::string::npos);
    daemon.child().signal(SIGTERM);
    daemon.child().wait_exit(10s);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

TEST_CASE("a database that cannot be opened: logged, reported, and workouts still run") {
    const std::string dir = t::make_temp_dir();
    // A second writer already holds the database: this daemon must run without recording.
    auto holder = treadmill::history::HistoryStore::open(dir + "/history.db");
    REQUIRE(holder.ok());
    SimDaemon daemon(dir, "20");
    REQUIRE(daemon.wait_state("idle", 15s));
    const json history = daemon.status()["history"];
    CHECK(history["recording"] == false);
    CHECK(history["ok"] == false);
    CHECK(history["last_error"].get<std::string>().find("in use by another writer") !=
          std::string::npos);
    CHECK(t::read_file(daemon.log_path()).find("not recording workouts") != std::string::npos);
    REQUIRE((*daemon.call({{"cmd", "start"}, {"yaml", kProgram}}))["ok"] == true);
    REQUIRE(daemon.wait_state("running", 10s));
    REQUIRE((*daemon.call({{"cmd", "stop"}}))["ok"] == true);
    REQUIRE(daemon.wait_state("idle", 20s));
    CHECK(daemon.status()["fault"].is_null());
    // The API's history commands still answer (from the file, read-only).
    const auto listed = daemon.call({{"cmd", "history"}});
    REQUIRE(listed);
    CHECK((*listed)["ok"] == true);
    holder->store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

TEST_CASE("the default profile lives in the state directory: update-from-mile --yes writes it") {
    const std::string dir = t::make_temp_dir();
    const std::string state = dir + "/state";
    std::filesystem::create_directory(state);
    // The daemon's own mount namespace: `state` stands for /var/lib/treadmilld (the unit's
    // StateDirectory), under a tmpfs over /var/lib so that the directory exists there.
    SimDaemon daemon(dir, "50",
                     {"unshare", "-m", "--propagation", "private", "sh", "-c",
                      "mount -t tmpfs tmpfs /var/lib && mkdir /var/lib/treadmilld && "
                      "mount --bind \"$0\" /var/lib/treadmilld && exec \"$@\"",
                      state},
                     state, true);
    if (!daemon.wait_state("idle", 15s)) {
        MESSAGE("skipped: the daemon did not start inside unshare -m (mounting refused?): "
                << t::read_file(daemon.log_path()));
        return;
    }
    CHECK(daemon.status()["history"]["database"] == "/var/lib/treadmilld/history.db");
    const char* const mile =
        "schema: treadmill-workout/1\nname: a mile and a bit\nsteps:\n"
        "  - run: 1700 m\n    speed: 16 km/h\n";
    REQUIRE((*daemon.call({{"cmd", "start"}, {"yaml", mile}}))["ok"] == true);
    REQUIRE(daemon.wait_state("running", 10s));
    REQUIRE(daemon.wait_state("idle", 60s));
    REQUIRE(
        t::wait_until([&] { return daemon.status()["history"]["last_session"].is_object(); }, 5s));
    CHECK(std::filesystem::exists(state + "/history.db"));

    const std::string written = state + "/profile.yaml";
    const json proposed = ctl_json(daemon.socket(), {"profile", "update-from-mile", "1"});
    CHECK(proposed["profile"] == "/var/lib/treadmilld/profile.yaml");
    CHECK(proposed["written"] == false);
    CHECK_FALSE(std::filesystem::exists(written));

    const json done = ctl_json(daemon.socket(), {"profile", "update-from-mile", "1", "--yes"});
    CHECK(done["written"] == true);
    REQUIRE(std::filesystem::exists(written));
    const std::string text = t::read_file(written);
    CHECK(text.find("treadmill-profile/1") != std::string::npos);
    for (const auto& r : done["references"]) {
        CAPTURE(r["name"].get<std::string>());
        CHECK(text.find(r["new"].get<std::string>()) != std::string::npos);
    }
    // progress: this session's mile best is the first point of the trend (with --all: it ran
    // at a time scale); 1609 m at 16 km/h is 362 s, plus the belt's acceleration.
    const json progress = ctl_json(daemon.socket(), {"progress", "--all"});
    REQUIRE(progress["mile"].size() == 1);
    CHECK(progress["mile"][0]["session"] == 1);
    CHECK(progress["mile"][0]["time_s"].get<double>() == doctest::Approx(362).epsilon(0.03));
    CHECK(progress["mile"][0]["time_s"] == done["mile_s"]);
    CHECK(ctl_json(daemon.socket(), {"progress"})["mile"].empty());  // simulated: not without
    // The daemon reads the new file from now on: the old values are the ones written.
    const json again = ctl_json(daemon.socket(), {"profile", "update-from-mile", "1"});
    CHECK(again["read_from"] == "/var/lib/treadmilld/profile.yaml");
    for (const auto& r : again["references"]) CHECK(r["old"] == r["new"]);
    daemon.child().signal(SIGTERM);
    daemon.child().wait_exit(10s);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

TEST_CASE("a read-only directory: nothing recorded, the workout runs and stops; reported") {
    const std::string dir = t::make_temp_dir();
    const std::string db_dir = dir + "/ro";
    std::filesystem::create_directory(db_dir);
    {
        // A database with an earlier workout, as after a file system remounted read-only.
        auto earlier = treadmill::history::HistoryStore::open(db_dir + "/history.db");
        REQUIRE(earlier.ok());
        treadmill::history::SessionStart start;
        start.program_id = "earlier";
        start.name = "earlier";
        const auto id = earlier->store->begin_session(start);
        treadmill::history::SessionEnd end;
        end.ended = treadmill::history::Ended::stopped;
        earlier->store->end_session(id, end);
    }
    // db_dir bound onto itself read-only, seen so only by the daemon (its own mount namespace).
    // Linux refuses to make a mount read-only while a file on it is open for writing (EBUSY),
    // so it cannot turn read-only under the running daemon: writes failing mid-session are the
    // full-disk case above and the SQLITE_READONLY unit test (history_writer_tests).
    SimDaemon daemon(dir, "20",
                     {"unshare", "-m", "--propagation", "private", "sh", "-c",
                      "mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\" && "
                      "exec \"$@\"",
                      db_dir},
                     db_dir);
    if (!daemon.wait_state("idle", 15s)) {
        MESSAGE("skipped: the daemon did not start inside unshare -m (mounting refused?): "
                << t::read_file(daemon.log_path()));
        return;
    }
    const json history = daemon.status()["history"];
    MESSAGE("status.history: " << history.dump());
    CHECK(history["recording"] == false);
    CHECK(history["ok"] == false);
    const std::string error = history["last_error"].get<std::string>();
    CHECK(error.find("Read-only file system") != std::string::npos);
    const std::string log = t::read_file(daemon.log_path());
    CHECK(log.find("not recording workouts") != std::string::npos);
    CHECK(log.find("Read-only file system") != std::string::npos);
    // The workout runs to its stop and the belt stops without a fault.
    REQUIRE((*daemon.call({{"cmd", "start"}, {"yaml", kProgram}}))["ok"] == true);
    REQUIRE(daemon.wait_state("running", 10s));
    REQUIRE(t::wait_until(
        [&] {
            const json s = daemon.status();
            return s["elapsed_s"].is_number() && s["elapsed_s"].get<double>() > 30;
        },
        20s));
    REQUIRE((*daemon.call({{"cmd", "stop"}}))["ok"] == true);
    REQUIRE(daemon.wait_state("idle", 20s));
    CHECK(daemon.status()["fault"].is_null());
    CHECK(daemon.status()["history"]["ok"] == false);  // still reported after the workout
    // The history is still read (immutable: nothing can change a read-only file system).
    const json listed = ctl_json(daemon.socket(), {"history"});
    REQUIRE(listed["sessions"].size() == 1);
    CHECK(listed["sessions"][0]["program_id"] == "earlier");
    CHECK(daemon.status()["state"] == "idle");
    daemon.child().signal(SIGTERM);
    CHECK(daemon.child().wait_exit(10s) == 0);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}
