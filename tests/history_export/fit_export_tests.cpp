// The FIT activity from a session: message order, timer events around the pause, records, laps
// with intensity and trigger, session sport, summary last.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "fit_reader.hpp"
#include "history/export/export.hpp"
#include "session_fixture.hpp"

using namespace treadmill::history;
using testing::FitFile;
using testing::read_fit;

namespace {
constexpr std::int64_t fit_epoch_s = 631065600;
FitFile fit_of(const SessionRecord& r, ExportOptions o = {}) {
    return read_fit(export_session(r, Format::fit, o).bytes);
}
}  // namespace

TEST_CASE("FIT: file_id first, device_info next, summary messages last, both CRCs right") {
    const FitFile f = fit_of(testing::interval_session());
    CHECK(f.header_crc_ok);
    CHECK(f.file_crc_ok);
    REQUIRE(f.messages.size() > 20);
    CHECK(f.messages[0].global == 0);
    CHECK(f.messages[0].at(0) == 4);  // type activity
    CHECK(f.messages[1].global == 23);
    CHECK(f.messages[1].texts.at(27) == "treadmilld");
    const std::size_t n = f.messages.size();
    CHECK(f.messages[n - 1].global == 34);  // activity
    CHECK(f.messages[n - 2].global == 18);  // session
    for (std::size_t i = n - 2 - 18; i < n - 2; ++i) CHECK(f.messages[i].global == 19);
}

TEST_CASE("FIT: one record per sample with timestamp, distance, speed, grade and altitude") {
    const SessionRecord r = testing::interval_session();
    const FitFile f = fit_of(r);
    const auto records = f.of(20);
    REQUIRE(records.size() == r.samples.size());
    for (std::size_t i = 0; i < records.size(); i += 97) {
        CHECK(records[i].at(253) == r.samples[i].utc_ms / 1000 - fit_epoch_s);
        CHECK(records[i].at(5) ==
              std::llround(static_cast<double>(r.samples[i].distance_mm) / 10.0));
        CHECK(records[i].at(6) == std::llround(r.samples[i].speed_kmh / 3.6 * 1000));
        CHECK(records[i].at(9) == std::llround(r.samples[i].incline_pct * 100));
    }
    // Altitude: 1 % of the distance run at 1 %; the recoveries are flat.
    double expected = 0.0;
    for (const Lap& lap : r.laps) expected += lap.ascent_m;
    CHECK(records.back().at(78) == doctest::Approx((expected + 500) * 5).epsilon(0.001));
}

TEST_CASE("FIT: the timer stops at the pause and starts at the resume") {
    const SessionRecord r = testing::interval_session();
    const FitFile f = fit_of(r);
    const auto events = f.of(21);
    REQUIRE(events.size() == 4);
    CHECK(events[0].at(1) == 0);  // start
    CHECK(events[1].at(1) == 4);  // stop_all
    CHECK(events[2].at(1) == 0);
    CHECK(events[3].at(1) == 4);
    CHECK(events[2].at(253) - events[1].at(253) == 45);
    CHECK(events[0].at(253) == r.start_utc_ms / 1000 - fit_epoch_s);
}

TEST_CASE("FIT: laps carry intensity, trigger, times and distances") {
    const SessionRecord r = testing::interval_session();
    const auto laps = fit_of(r).of(19);
    REQUIRE(laps.size() == 18);
    CHECK(laps[0].at(23) == 2);   // warmup
    CHECK(laps[1].at(23) == 0);   // active
    CHECK(laps[2].at(23) == 1);   // rest
    CHECK(laps[17].at(23) == 3);  // cooldown
    CHECK(laps[1].at(24) == 8);   // fitness_equipment: the program moved on
    CHECK(laps[17].at(24) == 7);  // session_end
    for (std::size_t i = 0; i < laps.size(); ++i) {
        CHECK(laps[i].at(254) == static_cast<std::int64_t>(i));
        CHECK(laps[i].at(9) == std::llround(r.laps[i].distance_m * 100));
        CHECK(laps[i].at(8) == std::llround(r.laps[i].time_s * 1000));
    }
    // The third recovery holds the 45 s pause: elapsed exceeds timer time by it.
    CHECK(laps[6].at(7) - laps[6].at(8) == 45000);
    CHECK(laps[5].at(7) == laps[5].at(8));
    CHECK(laps[0].values.count(11) == 0);  // no body mass: no calories
}

TEST_CASE("FIT: a skip makes the lap's trigger manual") {
    SessionRecord r = testing::interval_session();
    r.events.push_back({r.laps[3].start_s + r.laps[3].time_s, 0, "skip", ""});
    CHECK(fit_of(r).of(19)[3].at(24) == 0);
}

TEST_CASE("FIT: the session is running on a treadmill, walking when every sample is a walk") {
    const auto run = fit_of(testing::interval_session()).of(18);
    REQUIRE(run.size() == 1);
    CHECK(run[0].at(5) == 1);
    CHECK(run[0].at(6) == 1);
    CHECK(run[0].at(26) == 18);
    const auto walk = fit_of(testing::walk_session()).of(18);
    CHECK(walk[0].at(5) == 11);
    CHECK(walk[0].at(6) == 1);
}

TEST_CASE("FIT: session totals and calories with a body mass") {
    const SessionRecord r = testing::interval_session();
    const FitFile f = fit_of(r, {70.0, "0.1.0"});
    const auto session = f.of(18).at(0);
    CHECK(session.at(9) == std::llround(r.distance_m * 100));
    CHECK(session.at(8) == std::llround(r.duration_s * 1000));
    CHECK(session.at(7) == std::llround((r.duration_s + 45) * 1000));
    // ACSM at about 10 km/h for a 70 kg runner: roughly 1 kcal/kg/km.
    CHECK(session.at(11) > 0.8 * 70 * r.distance_m / 1000);
    CHECK(session.at(11) < 1.3 * 70 * r.distance_m / 1000);
    const auto activity = f.of(34).at(0);
    CHECK(activity.at(5) - activity.at(253) == 3600);  // local timestamp
}

TEST_CASE("FIT: a record without laps gets one lap over the whole session") {
    SessionRecord r = testing::interval_session();
    r.laps.clear();
    const FitFile f = fit_of(r);
    CHECK(f.file_crc_ok);
    REQUIRE(f.of(19).size() == 1);
    CHECK(f.of(19)[0].at(9) == std::llround(r.distance_m * 100));
}

TEST_CASE("FIT: device_info names the software version, scaled by 100") {
    const auto device = fit_of(testing::interval_session(), {std::nullopt, "2.15.3"}).of(23).at(0);
    CHECK(device.at(5) == 215);
    CHECK(fit_of(testing::interval_session()).of(23).at(0).at(5) == 10);  // 0.1.0
}

TEST_CASE("FIT: a session that ended while paused ends on the timer's stop, not a second one") {
    SessionRecord r = testing::interval_session();
    r.events.push_back({r.duration_s, r.samples.back().utc_ms, "pause", ""});
    const auto events = fit_of(r).of(21);
    REQUIRE(events.size() == 4);
    CHECK(events[3].at(1) == 4);
    CHECK(events[3].at(253) == r.samples.back().utc_ms / 1000 - fit_epoch_s);
}

TEST_CASE("FIT: a lap without samples and odd text still make a valid file") {
    SessionRecord r = testing::interval_session();
    r.laps.push_back({"extra, \"odd\"", true, r.duration_s, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0});
    r.name = std::string("bad\x01name");
    const FitFile f = fit_of(r);
    CHECK(f.file_crc_ok);
    CHECK(f.of(19).size() == 19);
    const std::string tcx = export_session(r, Format::tcx).bytes;
    CHECK(tcx.find('\x01') == std::string::npos);
    const std::string laps = export_session(r, Format::laps_csv).bytes;
    CHECK(laps.find("\"extra, \"\"odd\"\"\"") != std::string::npos);
}

namespace {
// Every record and event in file order has a timestamp no earlier than the one before.
bool timestamps_never_fall(const FitFile& f) {
    std::int64_t last = 0;
    for (const auto& m : f.messages) {
        if (m.global != 20 && m.global != 21) continue;
        if (m.at(253) < last) return false;
        last = m.at(253);
    }
    return true;
}
}  // namespace

TEST_CASE(
    "FIT: records and timer events in wall-clock order, also with a ramp-down after the pause") {
    SessionRecord r = testing::interval_session();
    CHECK(timestamps_never_fall(fit_of(r)));
    // The belt still turning for 3 s after the pause, the workout clock standing at 1080.
    const auto at = std::find_if(r.samples.begin(), r.samples.end(),
                                 [](const Sample& s) { return s.elapsed_s == 1080; });
    REQUIRE(at != r.samples.end());
    std::vector<Sample> ramp;
    for (int k = 1; k <= 3; ++k) {
        Sample s = *at;
        s.utc_ms += k * 1000;
        s.distance_mm += k * 300;
        s.speed_kmh = 3.0 - k;
        ramp.push_back(s);
    }
    r.samples.insert(at + 1, ramp.begin(), ramp.end());
    const FitFile f = fit_of(r);
    CHECK(f.file_crc_ok);
    CHECK(timestamps_never_fall(f));
    CHECK(f.of(20).size() == r.samples.size());
    CHECK(f.of(21).size() == 4);
}
