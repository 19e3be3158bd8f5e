#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "history/best_text.hpp"
#include "history/history_reader.hpp"
#include "history/history_store.hpp"
#include "tests/history/history_fixture.hpp"

using namespace treadmill::history;
using test::open_store;
using test::steady;
using test::TempDb;

namespace {

SessionStart start_of(std::string id, bool simulated = false) {
    SessionStart s;
    s.program_id = id;
    s.name = "Test " + id;
    s.source = std::make_shared<treadmill::RunSource>(treadmill::RunSource{"name: x\n", "{}"});
    s.start_utc_ms = 1'800'000'000'000;
    s.utc_offset_s = 3600;
    s.simulated = simulated;
    s.software_version = "0.1.0";
    return s;
}

// A session of `seconds` at `kmh` in two laps, ended `completed`.
std::int64_t record_run(HistoryStore& store, std::string id, int seconds, double kmh,
                        bool simulated = false) {
    const auto samples = steady(0, seconds, kmh, 0);
    std::int64_t session = 0;
    store.in_transaction([&] {
        session = store.begin_session(start_of(id, simulated));
        store.start_lap(session, {"warmup", true, 0, 0, 0.0, 0});
        for (const auto& s : samples) {
            if (s.elapsed_s == seconds / 2) {
                store.start_lap(session, {"run", true, 1, 0, s.elapsed_s, s.distance_mm});
            }
            store.add_sample(session, s);
        }
    });
    SessionEnd end;
    end.ended = Ended::completed;
    end.duration_s = seconds;
    end.distance_mm = samples.back().distance_mm;
    store.end_session(session, end);
    return session;
}

std::string sql_text(const std::string& path, const std::string& sql) {
    SqliteDb db(path, true);
    return db.text_of(sql);
}

}  // namespace

TEST_CASE("a new database has the schema, its version, WAL, and records a session") {
    TempDb tmp;
    auto store = open_store(tmp.path);
    CHECK(sql_text(tmp.path, "PRAGMA user_version") == std::to_string(kSchemaVersion));
    CHECK(sql_text(tmp.path, "PRAGMA journal_mode") == "wal");
    CHECK(store->db().text_of("PRAGMA synchronous") == "2");  // FULL
    const auto id = record_run(*store, "easy", 600, 10.8);

    const auto sessions = list_sessions(tmp.path);
    REQUIRE(sessions.ok());
    REQUIRE(sessions->size() == 1);
    const auto& s = sessions->front();
    CHECK(s.id == id);
    CHECK(s.program_id == "easy");
    CHECK(s.ended == Ended::completed);
    CHECK(s.utc_offset_s == 3600);
    CHECK(s.distance_m == doctest::Approx(1800.0));  // 3 m/s for 600 s
    CHECK(s.duration_s == doctest::Approx(600.0));

    const auto whole = load_session(tmp.path, id);
    REQUIRE(whole.ok());
    CHECK(whole->samples.size() == 601);
    REQUIRE(whole->laps.size() == 2);
    CHECK(whole->laps[0].kind == "warmup");
    CHECK(whole->laps[0].time_s == doctest::Approx(300.0));
    CHECK(whole->laps[0].distance_m == doctest::Approx(900.0));
    CHECK(whole->laps[1].start_s == doctest::Approx(300.0));
    CHECK(whole->laps[1].distance_m == doctest::Approx(900.0));
    CHECK(whole->laps[1].avg_speed_kmh == doctest::Approx(10.8));
    CHECK(whole->laps[1].max_speed_kmh == doctest::Approx(10.8));
    CHECK_FALSE(load_session(tmp.path, id + 1).ok());
    // The checkpoint at the session's end emptied the WAL.
    CHECK(std::filesystem::file_size(tmp.path + "-wal") == 0);
}

TEST_CASE("bests: over all sessions, simulated ones only with all") {
    TempDb tmp;
    auto store = open_store(tmp.path);
    const auto slow = record_run(*store, "slow", 700, 12.0);
    const auto fast = record_run(*store, "fast", 700, 14.4);
    const auto simulated = record_run(*store, "sim", 700, 20.0, true);
    auto bests = personal_bests(tmp.path, false);
    REQUIRE(bests.ok());
    REQUIRE(bests->size() == 4);  // 400 m, 800 m, 1 km, mile: 2.3 km at 12 km/h
    CHECK((*bests)[0].distance == "400m");
    CHECK((*bests)[0].session == fast);
    CHECK((*bests)[0].time_s == doctest::Approx(100.0));
    auto with_sim = personal_bests(tmp.path, true);
    REQUIRE(with_sim.ok());
    CHECK(with_sim->front().session == simulated);
    // What came before the fast session: the slow one.
    auto before = personal_bests(tmp.path, false, fast);
    REQUIRE(before.ok());
    CHECK(before->front().session == slow);
}

TEST_CASE("a second writer is refused while the first holds the database") {
    TempDb tmp;
    auto first = open_store(tmp.path);
    auto second = HistoryStore::open(tmp.path);
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().find("in use by another writer") != std::string::npos);
    first.reset();
    CHECK(HistoryStore::open(tmp.path).ok());  // released with the store
}

TEST_CASE("a file that is not a database is moved aside, named, and a new one started") {
    TempDb tmp;
    std::ofstream(tmp.path) << std::string(8192, 'x');
    auto opened = HistoryStore::open(tmp.path);
    REQUIRE(opened.ok());
    REQUIRE(opened->notes.size() == 1);
    const std::string& note = opened->notes[0];
    CHECK(note.find("corrupt") != std::string::npos);
    const auto aside = note.substr(note.find("moved aside to ") + 15);
    const auto aside_path = aside.substr(0, aside.find(','));
    CHECK(std::filesystem::exists(aside_path));
    CHECK(treadmill::testing::read_file(aside_path) == std::string(8192, 'x'));  // kept as it was
    record_run(*opened->store, "after", 60, 10);
    CHECK(list_sessions(tmp.path)->size() == 1);
}

TEST_CASE("a database whose pages are damaged fails quick_check and is moved aside") {
    TempDb tmp;
    {
        auto store = open_store(tmp.path);
        for (int i = 0; i < 3; ++i) record_run(*store, "r" + std::to_string(i), 900, 10);
    }
    {
        // Scribble over the middle of the file (b-tree pages), leaving the header intact.
        std::fstream f(tmp.path, std::ios::in | std::ios::out | std::ios::binary);
        const auto size = std::filesystem::file_size(tmp.path);
        REQUIRE(size > 16384);
        for (std::uintmax_t at = 4096; at + 512 < size; at += 4096) {
            f.seekp(static_cast<std::streamoff>(at + 100));
            f << std::string(400, '\x5a');
        }
    }
    auto opened = HistoryStore::open(tmp.path);
    REQUIRE(opened.ok());
    REQUIRE_FALSE(opened->notes.empty());
    CHECK(opened->notes[0].find("moved aside") != std::string::npos);
    CHECK(list_sessions(tmp.path)->empty());
}

TEST_CASE("an unfinished session is marked interrupted at the next open, its last lap closed") {
    TempDb tmp;
    std::int64_t id = 0;
    {
        auto store = open_store(tmp.path);
        store->in_transaction([&] {
            id = store->begin_session(start_of("crash"));
            store->start_lap(id, {"run", true, 0, 0, 0.0, 0});
            for (const auto& s : steady(0, 90, 14.4, 0)) store->add_sample(id, s);
        });
        // No end_session: the process died here.
    }
    auto opened = HistoryStore::open(tmp.path);
    REQUIRE(opened.ok());
    REQUIRE(opened->notes.size() == 1);
    CHECK_MESSAGE(opened->notes[0].find("interrupted") != std::string::npos, opened->notes[0]);
    const auto s = load_session(tmp.path, id);
    REQUIRE(s.ok());
    CHECK(s->ended == Ended::interrupted);
    CHECK(s->duration_s == doctest::Approx(90.0));
    CHECK(s->distance_m == doctest::Approx(360.0));
    REQUIRE(s->laps.size() == 1);
    CHECK(s->laps[0].time_s == doctest::Approx(90.0));
    CHECK(s->laps[0].distance_m == doctest::Approx(360.0));
}

TEST_CASE("a database newer than this build is refused, not rewritten") {
    TempDb tmp;
    {
        SqliteDb db(tmp.path);
        db.exec("PRAGMA user_version = 99");
    }
    auto opened = HistoryStore::open(tmp.path);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().find("newer") != std::string::npos);
}

TEST_CASE("a directory the store cannot write is reported, not crashed on") {
    if (::geteuid() == 0) {
        MESSAGE("skipped: root writes into read-only directories");
        return;
    }
    TempDb tmp;
    const std::string dir = tmp.dir + "/ro";
    std::filesystem::create_directory(dir);
    ::chmod(dir.c_str(), 0555);
    auto opened = HistoryStore::open(dir + "/history.db");
    CHECK_FALSE(opened.ok());
    ::chmod(dir.c_str(), 0755);
}

TEST_CASE("a session's end names the bests it beat, with the times they beat") {
    TempDb tmp;
    auto store = open_store(tmp.path);
    record_run(*store, "first", 700, 14.4);  // 400 m in 100 s
    // Faster: 400 m in 80 s. record_run ends the session; read what it stored.
    const auto faster = record_run(*store, "faster", 700, 18.0);
    const std::string summary = sql_text(
        tmp.path, "SELECT summary_json FROM sessions WHERE id = " + std::to_string(faster));
    CHECK(summary.find("\"distance\":\"400m\"") != std::string::npos);
    CHECK(summary.find("\"previous_s\":100.0") != std::string::npos);
    // A slower session beats nothing; a simulated one is not compared with real ones only.
    const auto slower = record_run(*store, "slower", 700, 10.0);
    const std::string slower_summary = sql_text(
        tmp.path, "SELECT summary_json FROM sessions WHERE id = " + std::to_string(slower));
    CHECK(slower_summary.find(R"("new_bests":[])") != std::string::npos);
    CHECK(slower_summary.find("energy_kcal") == std::string::npos);  // no body mass given
}

TEST_CASE("announcements read as a runner says them") {
    CHECK(race_time(401.2) == "6:41");
    CHECK(race_time(3725) == "1:02:05");
    CHECK(best_announcement("mile", 401, 408) == "New mile best: 6:41, \u22120:07");
    CHECK(best_announcement("5km", 1500, std::nullopt) == "New 5km best: 25:00");
}

TEST_CASE("with the profile's body mass the summary carries the energy estimate and ascent") {
    TempDb tmp;
    auto store = open_store(tmp.path);
    std::int64_t id = 0;
    store->in_transaction([&] {
        id = store->begin_session(start_of("energy"));
        store->start_lap(id, {"run", true, 0, 0, 0.0, 0});
        for (auto s : steady(0, 600, 10.0, 0)) {
            s.incline_pct = 2.0;
            store->add_sample(id, s);
        }
    });
    SessionEnd end;
    end.duration_s = 600;
    end.distance_mm = 1'666'667;
    end.body_mass_kg = 70;
    store->end_session(id, end);
    const auto summary = nlohmann::json::parse(
        sql_text(tmp.path, "SELECT summary_json FROM sessions WHERE id = " + std::to_string(id)));
    // 166.7 m/min at 2 %: 0.2·166.7 + 0.9·166.7·0.02 + 3.5 = 39.83 mL/kg/min → 139.4 kcal.
    CHECK(summary["energy_kcal"].get<double>() == doctest::Approx(139.4).epsilon(0.003));
    CHECK(summary["energy_note"].get<std::string>().find("estimate") != std::string::npos);
    CHECK(summary["ascent_m"].get<double>() == doctest::Approx(33.33).epsilon(0.002));
}
