// Rule S4 through the control cycle on the FakeTreadmill under virtual time: one read-back
// transaction per cycle, round-robin over both boards' parts, each board within 1 s; a lost
// configuration latched within 1 s; while latched, STOP every cycle and the settings written
// again at most once a second; the latch clears only by a reset after the read-back matches.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

#include "tests/controller/rig.hpp"

using namespace treadmill;
using namespace treadmill::testing;

namespace {

// What a factory reset does to the drive's Pr.00-20 (the frequency source back on the keypad).
ConfigCheck drive_reset_to_factory() {
    ConfigCheck c;
    c.mismatch_address = 0x0014;
    c.expected = 1;
    c.actual = 0;
    return c;
}

// Every (board, part) of the fake's read-back.
std::set<std::pair<Board, std::size_t>> all_parts(const FakeTreadmill& hw) {
    std::set<std::pair<Board, std::size_t>> parts;
    for (Board b : {Board::motor, Board::incline})
        for (std::size_t p = 0; p < hw.readback_parts(b); ++p) parts.insert({b, p});
    return parts;
}

// Times of the configure() calls after `t`.
std::vector<TimePoint> configures_after(const FakeTreadmill& hw, TimePoint t) {
    std::vector<TimePoint> out;
    for (const auto& r : hw.calls(Call::configure))
        if (r.at > t) out.push_back(r.at);
    return out;
}

}  // namespace

TEST_CASE("S4: one read-back transaction per cycle; every part of both boards within 1 s") {
    Rig rig;
    rig.connect();
    rig.hw.clear_log();
    rig.run_for(5s);
    std::map<TimePoint, int> per_cycle;
    for (const auto& r : rig.hw.calls(Call::verify_part)) per_cycle[r.at]++;
    CHECK(per_cycle.size() == 50);  // every cycle
    for (const auto& [t, n] : per_cycle) CHECK(n == 1);
    CHECK(rig.hw.calls(Call::verify).empty());  // whole read-backs only at connect
    // Any ten consecutive cycles (1 s) read every part of both boards.
    const auto v = rig.hw.calls(Call::verify_part);
    const auto want = all_parts(rig.hw);
    for (std::size_t first = 0; first + 10 <= v.size(); ++first) {
        std::set<std::pair<Board, std::size_t>> seen;
        for (std::size_t i = first; i < first + 10; ++i) seen.insert({v[i].board, v[i].part});
        CHECK(seen == want);
    }
}

TEST_CASE("S4: a long period reads more parts per cycle so that a round still takes 1 s") {
    ControlConfig c;
    c.period = 300ms;
    c.watchdog = 1s;
    Rig rig(c);
    rig.connect();
    rig.hw.clear_log();
    rig.run_for(3s);
    std::map<TimePoint, int> per_cycle;
    for (const auto& r : rig.hw.calls(Call::verify_part)) per_cycle[r.at]++;
    for (const auto& [t, n] : per_cycle) CHECK(n == 2);  // 5 parts x 0.3 s = 1.5 s -> 2 a cycle
    const auto v = rig.hw.calls(Call::verify_part);
    for (std::size_t first = 0; first + 6 <= v.size(); first += 2) {  // 3 cycles = 0.9 s
        std::set<std::pair<Board, std::size_t>> seen;
        for (std::size_t i = first; i < first + 6; ++i) seen.insert({v[i].board, v[i].part});
        CHECK(seen == all_parts(rig.hw));
    }
}

TEST_CASE("S4: a lost configuration latches board_config within 1 s, wherever the round stands") {
    for (int offset = 0; offset < 10; ++offset) {
        CAPTURE(offset);
        for (Board board : {Board::motor, Board::incline}) {
            Rig rig;
            rig.start(make_timeline({{600, 8.0}}));
            rig.run_for(offset * 100ms);
            // Worst case: the difference is in the part this cycle just read.
            const std::size_t b = board == Board::motor ? 0 : 1;
            std::size_t just_read = 0;
            for (const auto& r : rig.hw.calls(Call::verify_part))
                if (r.board == board) just_read = r.part;
            rig.hw.mismatch_part[b] = just_read;
            rig.hw.verify_result[b] = drive_reset_to_factory();
            const TimePoint lost = rig.now;
            CHECK(rig.reach(State::fault, 2s));
            CHECK(rig.fault_code() == "board_config");
            CHECK(rig.now - lost <= 1s);
        }
    }
}

TEST_CASE("S4: while latched, STOP every cycle and the settings at most once a second") {
    Rig rig;
    rig.start(make_timeline({{600, 8.0}}));
    rig.run_for(5s);
    rig.hw.settings_stick = false;  // a swapped board: what is written does not stay
    rig.hw.verify_result[0] = drive_reset_to_factory();
    CHECK(rig.reach(State::fault, 1s));
    const TimePoint latched = rig.now;
    // The settings are written in the cycle that latched, after its STOP.
    const auto first = configures_after(rig.hw, latched - 1ms);
    REQUIRE(first.size() == 1);
    CHECK(first[0] == latched);
    rig.run_for(10s);
    const auto rewrites = configures_after(rig.hw, latched - 1ms);
    CHECK(rewrites.size() >= 10);
    CHECK(rewrites.size() <= 11);
    for (std::size_t i = 1; i < rewrites.size(); ++i) CHECK(rewrites[i] - rewrites[i - 1] >= 1s);
    // STOP in every cycle, RUN never.
    std::set<TimePoint> stops;
    for (const auto& r : rig.hw.calls(Call::write_drive)) {
        if (r.at < latched) continue;
        CHECK_FALSE(r.drive.run);
        stops.insert(r.at);
    }
    CHECK(stops.size() == 101);
    // Reset is refused while the read-back differs, with the reason.
    const auto refused = rig.cycle.reset(rig.now);
    CHECK_FALSE(refused.ok);
    CHECK(refused.message.find("read back") != std::string::npos);
    CHECK(rig.cycle.state() == State::fault);
}

TEST_CASE("S4: the latch clears only by reset, after the read-back matches; then no rewrites") {
    Rig rig;
    rig.start(make_timeline({{600, 8.0}}));
    rig.run_for(5s);
    rig.hw.verify_result[0] = drive_reset_to_factory();  // configure() puts the settings back
    CHECK(rig.reach(State::fault, 1s));
    const TimePoint latched = rig.now;
    CHECK_FALSE(rig.cycle.reset(rig.now).ok);  // written again, not yet read back
    rig.tick();
    CHECK_FALSE(rig.cycle.reset(rig.now).ok);
    // A whole round (5 parts, 5 cycles) after the rewrite: matched.
    CHECK(rig.run_until([&] { return rig.cycle.reset(rig.now).ok; }, 1s));
    CHECK(rig.now - latched <= 600ms);
    CHECK(rig.reach(State::idle, 10s));
    CHECK(configures_after(rig.hw, latched - 1ms).size() == 1);
    // Without a reset it would have stayed latched.
    Rig held;
    held.start(make_timeline({{600, 8.0}}));
    held.run_for(5s);
    held.hw.verify_result[1] = drive_reset_to_factory();
    CHECK(held.reach(State::fault, 1s));
    const TimePoint held_latched = held.now;
    held.run_for(10s);
    CHECK(held.cycle.state() == State::fault);
    CHECK(configures_after(held.hw, held_latched - 1ms).size() == 1);  // matched: not again
}

TEST_CASE("S4: settings that do not read back at connect are written again until they do") {
    Rig rig;
    rig.hw.verify_result[0] = drive_reset_to_factory();
    rig.hw.settings_stick = false;
    rig.run_for(3s);
    REQUIRE(rig.cycle.state() == State::fault);
    REQUIRE(rig.fault_code() == "board_config");
    CHECK_FALSE(rig.cycle.reset(rig.now).ok);
    rig.hw.settings_stick = true;  // the board takes them now
    CHECK(rig.run_until([&] { return rig.cycle.reset(rig.now).ok; }, 3s));
    CHECK(rig.reach(State::idle, 5s));
}

TEST_CASE("S4: the settings are not written again in a cycle whose bus just failed") {
    Rig rig;
    rig.start(make_timeline({{600, 8.0}}));
    rig.run_for(5s);
    rig.hw.settings_stick = false;
    rig.hw.verify_result[0] = drive_reset_to_factory();
    CHECK(rig.reach(State::fault, 1s));
    const TimePoint latched = rig.now;
    rig.run_until([&] { return rig.now + rig.config.period >= latched + 1s; }, 2s);
    rig.hw.fail(Call::read_incline, LinkError{LinkError::Kind::timeout, 0, ""}, 1);
    rig.tick();  // due now, but the incline board just timed out
    CHECK(configures_after(rig.hw, latched).empty());
    rig.tick();
    const auto rewrites = configures_after(rig.hw, latched);
    REQUIRE(rewrites.size() == 1);
    CHECK(rewrites[0] == rig.now);
}
