// TCX and CSV from a session: structure, laps, trackpoints, rows, file names.
#include <doctest/doctest.h>

#include <limits>
#include <sstream>

#include "history/export/export.hpp"
#include "history/export/session_timing.hpp"
#include "session_fixture.hpp"

using namespace treadmill::history;

namespace {
std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}
std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}
}  // namespace

TEST_CASE("TCX: one Lap per lap, one Trackpoint per sample, no Position, Sport Running") {
    const SessionRecord r = testing::interval_session();
    const std::string x = export_session(r, Format::tcx).bytes;
    CHECK(count(x, "<Lap StartTime=") == r.laps.size());
    CHECK(count(x, "<Trackpoint>") == r.samples.size());
    CHECK(count(x, "<Position>") == 0);
    CHECK(count(x, "<Activity Sport=\"Running\">") == 1);
    CHECK(count(x, "<Intensity>Resting</Intensity>") == 8);
    CHECK(count(x, "<Intensity>Active</Intensity>") == 10);
    CHECK(count(x, "<Calories>0</Calories>") == r.laps.size());
    CHECK(x.find("<Id>2026-12-07T07:00:00Z</Id>") != std::string::npos);
    CHECK(x.find("<ns3:TPX><ns3:Speed>") != std::string::npos);
    // The lap after the pause starts on the wall clock after it.
    CHECK(x.find("<Lap StartTime=\"2026-12-07T07:19:45Z\">") != std::string::npos);
}

TEST_CASE("TCX: a walk is Sport Other; a body mass gives calories; text is escaped") {
    SessionRecord walk = testing::walk_session();
    walk.name = "Hill <walk> & \"more\"";
    const std::string x = export_session(walk, Format::tcx, {70.0, "0.1.0"}).bytes;
    CHECK(count(x, "<Activity Sport=\"Other\">") == 1);
    CHECK(count(x, "<Calories>0</Calories>") == 0);
    CHECK(x.find("Hill &lt;walk&gt; &amp; &quot;more&quot;") != std::string::npos);
}

TEST_CASE("CSV: the header, one row per sample, lap numbers and pace") {
    const SessionRecord r = testing::interval_session();
    const auto lines = lines_of(export_session(r, Format::csv).bytes);
    REQUIRE(lines.size() == r.samples.size() + 1);
    CHECK(lines[0] ==
          "utc,elapsed_s,lap,lap_kind,distance_m,speed_kmh,pace,incline_pct,target_speed_kmh,"
          "target_incline_pct");
    CHECK(lines[1].rfind("2026-12-07T07:00:01Z,1.0,1,warmup,0.417,1.50,40:00,1.0,10.00,1.0", 0) ==
          0);
    CHECK(lines[600].rfind("2026-12-07T07:10:00Z,600.0,1,warmup,", 0) == 0);
    CHECK(lines[601].rfind("2026-12-07T07:10:01Z,601.0,2,run,", 0) == 0);
    CHECK(lines[800].find(",16.00,3:45,") != std::string::npos);
}

TEST_CASE("laps CSV: one row per lap with kind, active and start on the wall clock") {
    const SessionRecord r = testing::interval_session();
    const ExportFile laps = export_session(r, Format::laps_csv);
    CHECK(laps.filename == "treadmill-42-20261207-0700-laps.csv");
    const auto lines = lines_of(laps.bytes);
    REQUIRE(lines.size() == r.laps.size() + 1);
    CHECK(lines[0] ==
          "lap,kind,active,start_utc,start_s,time_s,distance_m,avg_speed_kmh,max_speed_kmh,"
          "avg_pace,avg_incline_pct,ascent_m");
    CHECK(lines[3].rfind("3,recover,0,2026-12-07T07:11:30Z,690.0,90.0,", 0) == 0);
}

TEST_CASE("file names and format names") {
    const SessionRecord r = testing::interval_session();
    CHECK(export_session(r, Format::fit).filename == "treadmill-42-20261207-0700.fit");
    CHECK(export_session(r, Format::tcx).filename == "treadmill-42-20261207-0700.tcx");
    CHECK(export_session(r, Format::csv).filename == "treadmill-42-20261207-0700.csv");
    CHECK(format_from_name("fit") == Format::fit);
    CHECK(format_from_name("laps-csv") == Format::laps_csv);
    CHECK_FALSE(format_from_name("gpx").has_value());
}

TEST_CASE("walk: every measured speed under 7.2 km/h") {
    CHECK(is_walk(testing::walk_session()));
    CHECK_FALSE(is_walk(testing::interval_session()));
    SessionRecord brisk = testing::walk_session();
    brisk.samples[100].speed_kmh = 7.2;
    CHECK_FALSE(is_walk(brisk));
}

TEST_CASE("wall clock of workout time across a pause") {
    const SessionRecord r = testing::interval_session();
    const auto pauses = pauses_of(r);
    REQUIRE(pauses.size() == 1);
    CHECK(wall_ms_at(r, pauses, 1080, false) == r.start_utc_ms + 1080000);
    CHECK(wall_ms_at(r, pauses, 1080, true) == r.start_utc_ms + 1125000);
    CHECK(wall_ms_at(r, pauses, 1081, false) == r.start_utc_ms + 1126000);
    CHECK(iso8601_utc(1796626800500) == "2026-12-07T07:00:00.500Z");
}

TEST_CASE("a pause without its resume event is closed by the next sample") {
    SessionRecord r = testing::interval_session();
    std::erase_if(r.events, [](const Event& e) { return e.kind == "resume"; });
    const auto pauses = pauses_of(r);
    REQUIRE(pauses.size() == 1);
    CHECK(pauses[0].resumed);
    CHECK(pauses[0].end_utc_ms - pauses[0].begin_utc_ms == 45000);
}

TEST_CASE("a session that ended while paused: the timer stays stopped, laps still close") {
    SessionRecord r = testing::interval_session();
    const double end = r.duration_s;
    r.events.push_back({end, r.samples.back().utc_ms, "pause", ""});
    const std::string tcx = export_session(r, Format::tcx).bytes;
    CHECK(tcx.find("</TrainingCenterDatabase>") != std::string::npos);
    CHECK(pauses_of(r).size() == 2);
    CHECK_FALSE(pauses_of(r)[1].resumed);
}

TEST_CASE("invalid UTF-8 and non-finite numbers do not break TCX or CSV") {
    SessionRecord r = testing::interval_session();
    r.name = "caf\xC3";  // truncated sequence
    r.laps[0].kind = "warm\xFFup";
    r.laps[1].max_speed_kmh = std::numeric_limits<double>::quiet_NaN();
    r.samples[5].speed_kmh = std::numeric_limits<double>::infinity();
    const std::string tcx = export_session(r, Format::tcx).bytes;
    CHECK(tcx.find("<Notes>caf\xEF\xBF\xBD</Notes>") != std::string::npos);
    CHECK(tcx.find("<Notes>warm\xEF\xBF\xBDup</Notes>") != std::string::npos);
    CHECK(tcx.find("nan") == std::string::npos);
    CHECK(tcx.find("inf") == std::string::npos);
    const std::string csv = export_session(r, Format::csv).bytes;
    CHECK(csv.find("warm\xEF\xBF\xBDup") != std::string::npos);
    CHECK(csv.find("inf") == std::string::npos);
}
