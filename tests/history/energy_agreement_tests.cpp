// One session, one energy figure: the summary's energy_kcal (written by the store at the end)
// and the calories in the FIT and TCX files exported from the same database agree.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "history/energy.hpp"
#include "history/export/export.hpp"
#include "history/history_reader.hpp"
#include "history/history_store.hpp"
#include "history/sqlite_db.hpp"
#include "tests/history/history_fixture.hpp"
#include "tests/history_export/fit_reader.hpp"

using namespace treadmill::history;
using test::open_store;
using test::TempDb;

namespace {

struct Stretch {
    const char* kind;
    int seconds;
    double kmh;
    double incline_pct;
};

// A walk at 6.5 km/h (between ACSM's walking and running ranges), a run uphill, a slow walk;
// the measured speed reads 3 % high, as a roller does against the counted distance.
std::int64_t record_mixed(HistoryStore& store, double body_mass_kg) {
    std::int64_t id = 0;
    double t = 0;
    std::int64_t mm = 0;
    store.in_transaction([&] {
        SessionStart start;
        start.program_id = "mixed";
        start.name = "Mixed";
        start.source =
            std::make_shared<treadmill::RunSource>(treadmill::RunSource{"name: x\n", "{}"});
        start.start_utc_ms = 1'800'000'000'000;
        start.software_version = "0.1.0";
        id = store.begin_session(start);
        int step = 0;
        for (const Stretch& part : {Stretch{"warmup", 300, 6.5, 0}, Stretch{"run", 600, 10.0, 2},
                                    Stretch{"cooldown", 121, 5.0, 0}}) {
            store.start_lap(id, {part.kind, true, step++, 0, t, mm});
            for (int i = 0; i < part.seconds; ++i) {
                if (t > 0 || i > 0) {
                    t += 1;
                    mm += std::llround(part.kmh / 3.6 * 1000);
                }
                Sample s;
                s.elapsed_s = t;
                s.utc_ms = 1'800'000'000'000 + static_cast<std::int64_t>(t * 1000);
                s.distance_mm = mm;
                s.target_speed_kmh = part.kmh;
                s.speed_kmh = part.kmh * 1.03;
                s.target_incline_pct = s.incline_pct = part.incline_pct;
                s.step = step - 1;
                store.add_sample(id, s);
            }
        }
    });
    SessionEnd end;
    end.duration_s = t;
    end.distance_mm = mm;
    end.body_mass_kg = body_mass_kg;
    store.end_session(id, end);
    return id;
}

long tcx_calories(const std::string& xml) {
    long sum = 0;
    const std::string tag = "<Calories>";
    for (auto at = xml.find(tag); at != std::string::npos; at = xml.find(tag, at + 1)) {
        sum += std::stol(xml.substr(at + tag.size()));
    }
    return sum;
}

}  // namespace

TEST_CASE("the summary's energy_kcal and the FIT and TCX calories of one session agree") {
    TempDb tmp;
    auto store = open_store(tmp.path);
    const std::int64_t id = record_mixed(*store, 70.0);
    store.reset();
    const auto record = load_session(tmp.path, id);
    REQUIRE(record.ok());
    const auto summary = nlohmann::json::parse(
        SqliteDb(tmp.path, true)
            .text_of("SELECT summary_json FROM sessions WHERE id = " + std::to_string(id)));
    REQUIRE(summary["energy_kcal"].is_number());
    const double kcal = summary["energy_kcal"].get<double>();
    CHECK(kcal == doctest::Approx(acsm_kcal(record.value().samples, 70.0)));

    // 6.5 km/h = 108.3 m/min walks: (0.1·108.3 + 3.5) · 70 / 1000 · 5 · 5 min = 25.1 kcal; the
    // run uphill and the slow walk add theirs (the 3 % high roller reading changes nothing).
    const double walk = acsm_vo2(6500.0 / 60, 0) * 70 / 1000 * 5 * 5;
    CHECK(walk == doctest::Approx(25.08).epsilon(0.002));

    const ExportOptions with_mass{70.0, "0.1.0"};
    const auto fit =
        testing::read_fit(export_session(record.value(), Format::fit, with_mass).bytes);
    REQUIRE(fit.of(18).size() == 1);
    CHECK(fit.of(18)[0].at(11) == std::lround(kcal));
    long laps = 0;
    for (const auto& lap : fit.of(19)) laps += lap.at(11);
    CHECK(laps == std::lround(kcal));
    CHECK(tcx_calories(export_session(record.value(), Format::tcx, with_mass).bytes) ==
          std::lround(kcal));
}

TEST_CASE("one walk-run rule: walking below 7.2 km/h, running from there") {
    const double below = walk_run_transition_kmh * 1000 / 60 - 0.01;
    CHECK(acsm_vo2(below, 0) == doctest::Approx(0.1 * below + 3.5));
    CHECK(acsm_vo2(120.0, 0) == doctest::Approx(0.2 * 120 + 3.5));
    CHECK(acsm_vo2(100.0, 0.05) == doctest::Approx(0.1 * 100 + 1.8 * 100 * 0.05 + 3.5));
}
