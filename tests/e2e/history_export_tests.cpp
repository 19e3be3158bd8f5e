// Export end to end: a time-scaled built-in workout recorded by treadmilld on its embedded
// simulator, fetched by `treadmillctl export` as FIT, TCX and CSV, and read by the independent
// decoders of tests/history_export (gpsbabel, @garmin/fitsdk, xmllint with the TCX schema, the
// TCX check), their distance and laps compared with `history show --json`.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "history/export/session_timing.hpp"
#include "history/history_reader.hpp"
#include "history/sqlite_db.hpp"
#include "tests/e2e/e2e_rig.hpp"
#include "tests/e2e/history_daemon.hpp"

using namespace treadmill::e2e;
namespace h = treadmill::history;

namespace {

const std::string kCheckers = TREADMILL_SOURCE_DIR "/tests/history_export";

t::CommandResult ctl(const std::string& socket, std::vector<std::string> args) {
    args.insert(args.begin(), {TREADMILLCTL_BIN, "--socket", socket});
    return t::run_command(args, 20s);
}

// What the decoders compare a file with (as write_export_fixtures writes it): totals and laps
// from `history show --json`, the samples and start from the database.
std::string expected_json(const json& shown, const h::SessionRecord& r) {
    json laps = json::array();
    for (const auto& lap : shown["laps"]) laps.push_back(lap["distance_m"]);
    json samples = json::array();
    for (const auto& s : r.samples) {
        samples.push_back(
            {s.utc_ms / 1000, s.speed_kmh / 3.6, static_cast<double>(s.distance_mm) / 1000.0});
    }
    return json{{"distance_m", shown["distance_m"]},
                {"duration_s", shown["duration_s"]},
                {"start_unix_s", r.start_utc_ms / 1000},
                {"walk", h::is_walk(r)},
                {"laps_m", laps},
                {"samples", samples}}
        .dump();
}

void check_tool(const std::vector<std::string>& argv) {
    const auto r = t::run_command(argv, 60s);
    CHECK_MESSAGE(r.exit_code == 0, argv[0] << " " << argv[1] << ": " << r.output);
}

}  // namespace

TEST_CASE(
    "treadmillctl export: a recorded mile trial as FIT, TCX and CSV, read by other decoders") {
    const std::string dir = t::make_temp_dir();
    SimDaemon daemon(dir, "50");
    REQUIRE(daemon.wait_state("idle", 15s));
    REQUIRE((*daemon.call({{"cmd", "start"},
                           {"program", "mile-time-trial"},
                           {"pace", {{"mile", "4:00/km"}}}}))["ok"] == true);
    REQUIRE(daemon.wait_state("running", 10s));

    // While the session is being recorded, its export is refused (the file would lack its end).
    // The writer thread stores the session's row a moment after the start: wait for it.
    REQUIRE(t::wait_until([&] { return daemon.status()["history"]["session"] == 1; }, 5s));
    const auto running =
        ctl(daemon.socket(), {"export", "1", "--format", "fit", "-o", dir + "/early.fit"});
    CHECK(running.exit_code == 1);
    CHECK(running.output.find("still being recorded") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir + "/early.fit"));

    REQUIRE(daemon.wait_state("idle", 90s));
    REQUIRE(
        t::wait_until([&] { return daemon.status()["history"]["last_session"].is_object(); }, 5s));
    const json list = ctl_json(daemon.socket(), {"history"});
    REQUIRE(list["sessions"].size() == 1);
    const std::string id = std::to_string(list["sessions"][0]["id"].get<int>());
    const json shown = ctl_json(daemon.socket(), {"history", "show", id})["session"];
    REQUIRE(shown["ended"] == "completed");
    const auto record = h::load_session(daemon.database(), std::stoll(id));
    REQUIRE(record);
    REQUIRE(record->laps.size() == shown["laps"].size());
    std::ofstream(dir + "/expected.json") << expected_json(shown, *record);

    // The row keeps the program's text as run, the references and the --pace override.
    {
        h::SqliteDb db(daemon.database(), true);
        h::Statement st(db, "SELECT program_yaml, profile_json, seeds_json FROM sessions");
        REQUIRE(st.step());
        CHECK(st.text(0).find("name: \"Mile time trial\"") != std::string::npos);
        const json profile = json::parse(st.text(1));
        CHECK(profile["overrides"] == json{{"mile", "4:00/km"}});
        CHECK(profile["profile"].is_null());  // the daemon's profile file does not exist
        CHECK(st.text(2) == "[]");
    }

    // The API's reply names the file and carries it in base64.
    const auto reply =
        daemon.call({{"cmd", "export"}, {"session", std::stoll(id)}, {"format", "fit"}});
    REQUIRE(reply);
    CHECK((*reply)["ok"] == true);
    CHECK((*reply)["encoding"] == "base64");
    CHECK((*reply)["filename"].get<std::string>().rfind("treadmill-" + id + "-", 0) == 0);

    for (const char* format : {"fit", "tcx", "csv", "laps-csv"}) {
        const auto r =
            ctl(daemon.socket(), {"export", id, "--format", format, "-o", dir + "/out." + format});
        CHECK_MESSAGE(r.exit_code == 0, r.output);
    }
    // FIT: gpsbabel (CRC, records, timestamps, speeds) and Garmin's SDK (integrity, distance,
    // duration, laps and their distances).
    check_tool({"gpsbabel", "-t", "-i", "garmin_fit,allpoints", "-f", dir + "/out.fit", "-o",
                "unicsv,utc=0", "-F", dir + "/gpsbabel.csv"});
    check_tool({"python3", kCheckers + "/check_gpsbabel.py", dir + "/gpsbabel.csv",
                dir + "/expected.json"});
    check_tool({"node", kCheckers + "/check_fitsdk.mjs", dir + "/out.fit", dir + "/expected.json"});
    // TCX: valid against the schema, laps and trackpoints as recorded.
    check_tool({"xmllint", "--noout", "--schema", kCheckers + "/tcx-subset.xsd", dir + "/out.tcx"});
    check_tool({"python3", kCheckers + "/check_tcx.py", dir + "/out.tcx", dir + "/expected.json"});
    // CSV: a header and one row per sample; the laps file one row per lap.
    const std::string csv = t::read_file(dir + "/out.csv");
    CHECK(csv.rfind("utc,elapsed_s,lap,lap_kind,distance_m,speed_kmh,pace,incline_pct,", 0) == 0);
    CHECK(std::count(csv.begin(), csv.end(), '\n') ==
          static_cast<long>(record->samples.size() + 1));
    const std::string laps_csv = t::read_file(dir + "/out.laps-csv");
    CHECK(std::count(laps_csv.begin(), laps_csv.end(), '\n') ==
          static_cast<long>(shown["laps"].size() + 1));

    // An existing file is kept unless --force; errors are clear and write nothing.
    const auto again =
        ctl(daemon.socket(), {"export", id, "--format", "tcx", "-o", dir + "/out.fit"});
    CHECK(again.exit_code == 1);
    CHECK(again.output.find("exists") != std::string::npos);
    CHECK(t::read_file(dir + "/out.fit").substr(8, 4) == ".FIT");
    CHECK(ctl(daemon.socket(), {"export", id, "--format", "tcx", "-o", dir + "/out.fit", "--force"})
              .exit_code == 0);
    CHECK(t::read_file(dir + "/out.fit").find("<TrainingCenterDatabase") != std::string::npos);
    const auto unknown =
        ctl(daemon.socket(), {"export", "999", "--format", "fit", "-o", dir + "/none.fit"});
    CHECK(unknown.exit_code == 1);
    CHECK(unknown.output.find("no session 999") != std::string::npos);
    const auto bad_format =
        ctl(daemon.socket(), {"export", id, "--format", "gpx", "-o", dir + "/none.gpx"});
    CHECK(bad_format.exit_code == 1);
    CHECK(bad_format.output.find("'format' must be") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir + "/none.fit"));
    CHECK_FALSE(std::filesystem::exists(dir + "/none.gpx"));

    // profile update-from-mile: the session's mile best gives new references, shown first and
    // written to the config's profile (none.yaml, missing so far) only with --yes.
    const std::string profile = dir + "/none.yaml";
    const auto proposed = ctl(daemon.socket(), {"profile", "update-from-mile", id});
    CHECK_MESSAGE(proposed.exit_code == 0, proposed.output);
    CHECK(proposed.output.find("(none)") != std::string::npos);
    CHECK(proposed.output.find("--yes") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(profile));
    // Without a session: the runner's best, and simulated sessions do not count.
    CHECK(ctl(daemon.socket(), {"profile", "update-from-mile"}).exit_code == 1);
    const json written = ctl_json(daemon.socket(), {"profile", "update-from-mile", id, "--yes"});
    CHECK(written["written"] == true);
    const double mile_s = written["mile_s"].get<double>();
    MESSAGE("mile best of the trial at 4:00/km: " << mile_s << " s");
    CHECK(mile_s == doctest::Approx(1609.344 * 0.24).epsilon(0.03));
    REQUIRE(std::filesystem::exists(profile));
    std::string easy;
    for (const auto& r : written["references"])
        if (r["name"] == "easy") easy = r["new"];
    CHECK(t::read_file(profile).find(easy) != std::string::npos);
    // The next program resolves `easy` against the new profile.
    const auto shown_easy = daemon.call(
        {{"cmd", "show"},
         {"yaml",
          "schema: treadmill-workout/1\nname: E\nsteps:\n  - run: 60 s\n    pace: easy\n"}});
    REQUIRE(shown_easy);
    REQUIRE((*shown_easy)["ok"] == true);
    const int minutes = std::stoi(easy.substr(0, easy.find(':')));
    const int seconds = std::stoi(easy.substr(easy.find(':') + 1, 2));
    CHECK((*shown_easy)["program"]["steps"][0]["speed_kmh"].get<double>() ==
          doctest::Approx(3600.0 / (minutes * 60 + seconds)).epsilon(0.02));
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}
