#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "history/history_reader.hpp"
#include "history/history_writer.hpp"
#include "tests/history/history_fixture.hpp"

using namespace treadmill::history;
using test::open_store;
using test::steady;
using test::TempDb;

namespace {

SessionStart start_of(std::string id) {
    SessionStart s;
    s.program_id = id;
    s.name = id;
    return s;
}

SessionEnd end_at(const Sample& last) {
    SessionEnd e;
    e.ended = Ended::stopped;
    e.duration_s = last.elapsed_s;
    e.distance_mm = last.distance_mm;
    return e;
}

}  // namespace

TEST_CASE("the writer records a session pushed from another thread, and calls back at its end") {
    TempDb tmp;
    std::vector<std::int64_t> ended;
    {
        HistoryWriter writer(
            open_store(tmp.path), 64, [](std::string) {},
            [&](std::int64_t id, const std::vector<NewBest>&) { ended.push_back(id); });
        const auto samples = steady(0, 30, 12, 0);
        writer.push(start_of("w"));
        writer.push(LapStart{"run", true, 0, 0, 0, 0});
        for (const auto& s : samples) {
            writer.push(s);
            if (s.elapsed_s == 10) writer.push(Event{10, 0, "pause", ""});
        }
        writer.push(end_at(samples.back()));
        writer.flush();
        CHECK(writer.status().ok);
        CHECK(writer.status().samples_merged == 0);
    }
    REQUIRE(ended.size() == 1);
    const auto s = load_session(tmp.path, ended[0]);
    REQUIRE(s.ok());
    CHECK(s->samples.size() == 31);
    CHECK(s->events.size() == 1);
    CHECK(s->ended == Ended::stopped);
}

TEST_CASE("a full queue merges samples, never events, and counts the loss") {
    TempDb tmp;
    auto store = open_store(tmp.path);
    // Hold the writer thread off the database: an open write transaction on another connection
    // keeps its first write waiting (busy_timeout), so the queue fills behind it.
    SqliteDb blocker(tmp.path);
    blocker.exec("BEGIN IMMEDIATE");
    HistoryWriter writer(std::move(store), 8, [](std::string) {});
    writer.push(start_of("merge"));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the thread took the start
    const auto samples = steady(0, 40, 12, 0);
    for (const auto& s : samples) {
        writer.push(s);
        if (static_cast<int>(s.elapsed_s) % 10 == 0)
            writer.push(Event{s.elapsed_s, 0, "speed", ""});
    }
    writer.push(end_at(samples.back()));
    CHECK(writer.status().samples_merged > 0);
    blocker.exec("COMMIT");
    writer.flush();
    const auto status = writer.status();
    const auto sessions = list_sessions(tmp.path);
    REQUIRE(sessions.ok());
    if (!status.ok) {
        // The first write outwaited busy_timeout: it failed, and is reported so.
        CHECK(status.write_errors > 0);
        CHECK(status.lost > 0);
        return;
    }
    REQUIRE(sessions->size() == 1);
    const auto s = load_session(tmp.path, sessions->front().id);
    REQUIRE(s.ok());
    CHECK(s->events.size() == 5);  // every event kept
    CHECK(s->samples.size() + status.samples_merged == samples.size());
    CHECK(s->samples.back().distance_mm == samples.back().distance_mm);  // the newest kept
}

TEST_CASE("a full disk: writes fail, are counted, logged once per message; every record counted") {
    TempDb tmp;
    std::vector<std::string> log;
    std::mutex log_mutex;
    auto store = open_store(tmp.path);
    const auto pages = std::stoll(store->db().text_of("PRAGMA page_count"));
    store->db().exec("PRAGMA max_page_count = " + std::to_string(pages + 2));  // a real SQLITE_FULL
    HistoryWriter writer(std::move(store), 1024, [&](std::string line) {
        std::lock_guard lock(log_mutex);
        log.push_back(std::move(line));
    });
    writer.push(start_of("full"));
    writer.flush();  // the session row fits; its samples will not
    for (const auto& s : steady(0, 3000, 12, 0)) writer.push(s);
    writer.flush();
    const auto status = writer.status();
    CHECK(status.write_errors > 0);
    CHECK(status.lost > 0);
    CHECK(status.last_error.find("full") != std::string::npos);
    // Written, lost to the full disk, or merged in the queue: nothing unaccounted for.
    CHECK(status.written + status.lost + status.samples_merged == 3002);
    std::lock_guard lock(log_mutex);
    REQUIRE_FALSE(log.empty());
    CHECK(log[0].find("failed") != std::string::npos);
    CHECK(log[0].find("the workout goes on") != std::string::npos);
    int failures = 0;  // the same error is logged once (a write that fits between is logged too)
    for (const auto& line : log) failures += line.find("failed") != std::string::npos ? 1 : 0;
    CHECK(failures == 1);
}

TEST_CASE("a session start lost with its batch: later records say so, none go to a missing id") {
    TempDb tmp;
    auto store = open_store(tmp.path);
    const auto pages = std::stoll(store->db().text_of("PRAGMA page_count"));
    store->db().exec("PRAGMA max_page_count = " + std::to_string(pages));  // nothing fits
    std::vector<std::string> log;
    std::mutex log_mutex;
    HistoryWriter writer(std::move(store), 1024, [&](std::string line) {
        std::lock_guard lock(log_mutex);
        log.push_back(std::move(line));
    });
    auto big = start_of("lost");
    big.source = std::make_shared<treadmill::RunSource>(
        treadmill::RunSource{std::string(100000, 'y'), "{}"});  // needs new pages
    writer.push(big);
    writer.flush();
    CHECK_FALSE(writer.status().session);
    writer.push(Sample{});
    writer.flush();
    CHECK(writer.status().last_error.find("no session is being recorded") != std::string::npos);
    CHECK(writer.status().lost == 2);
}

TEST_CASE("writes turning read-only mid-session (SQLITE_READONLY): counted, logged, then resumed") {
    TempDb tmp;
    std::vector<std::string> log;
    std::mutex log_mutex;
    auto store = open_store(tmp.path);
    SqliteDb& db = store->db();  // the writer's own connection, touched only while it is idle
    HistoryWriter writer(std::move(store), 1024, [&](std::string line) {
        std::lock_guard lock(log_mutex);
        log.push_back(std::move(line));
    });
    const auto samples = steady(0, 29, 10, 0);  // 30 samples
    writer.push(start_of("read-only"));
    for (std::size_t i = 0; i < 10; ++i) writer.push(samples[i]);
    writer.flush();
    REQUIRE(writer.status().ok);
    // Every write from now on fails as on a read-only file: SQLite's SQLITE_READONLY.
    db.exec("PRAGMA query_only = 1");
    for (std::size_t i = 10; i < 20; ++i) writer.push(samples[i]);
    writer.flush();
    auto status = writer.status();
    CHECK_FALSE(status.ok);
    CHECK(status.write_errors > 0);
    CHECK(status.lost == 10);
    CHECK(status.last_error.find("readonly") != std::string::npos);
    CHECK(status.session);  // the session goes on: later records still belong to it
    db.exec("PRAGMA query_only = 0");
    for (std::size_t i = 20; i < 30; ++i) writer.push(samples[i]);
    writer.push(end_at(samples.back()));
    writer.flush();
    status = writer.status();
    CHECK(status.ok);
    CHECK(status.written == 1 + 10 + 10 + 1);
    const auto session = load_session(tmp.path, 1);
    REQUIRE(session);
    CHECK(session->ended == Ended::stopped);
    CHECK(session->samples.size() == 20);  // the ten written read-only are the loss
    std::lock_guard lock(log_mutex);
    const auto logged = [&](const std::string& text) {
        return std::any_of(log.begin(), log.end(), [&](const std::string& line) {
            return line.find(text) != std::string::npos;
        });
    };
    CHECK(logged("readonly"));
    CHECK(logged("the workout goes on"));
    CHECK(logged("works again"));
}
