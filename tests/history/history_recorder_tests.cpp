// The daemon's recorder, fed status snapshots by hand: what it queues for the writer.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "controller/daemon/history_recorder.hpp"

using namespace treadmill;
using controller::State;
using daemon::HistoryRecorder;

namespace {

struct Script {
    std::vector<history::Record> records;
    HistoryRecorder recorder{[this](history::Record r) { records.push_back(std::move(r)); }, 1.0,
                             "test"};
    controller::Status status;
    double elapsed = 0;
    double distance = 0;

    Script() {
        status.state = State::idle;
        status.program = controller::ProgramStatus{
            "p",
            "Program",
            {7},
            std::make_shared<const treadmill::RunSource>(
                treadmill::RunSource{"name: Program\n", R"({"overrides":{"5k":"4:10/km"}})"})};
    }
    // `cycles` cycles of 0.1 s in `state` at `kmh`, in step `step` (rep `rep`).
    void run(State state, int cycles, double kmh, std::size_t step, std::optional<int> rep = {},
             double remaining_s = 0) {
        for (int i = 0; i < cycles; ++i) {
            status.state = state;
            if (state == State::running) {
                elapsed += 0.1;
                distance += kmh / 3.6 * 0.1;
            }
            status.elapsed_s = elapsed;
            status.distance_m = distance;
            status.speed.actual_kmh = state == State::running ? kmh : 0;
            status.step = controller::StepStatus{
                step,        5,          step == 1 ? "recover" : "run",
                "",          rep,        rep ? std::optional<int>(4) : std::nullopt,
                remaining_s, remaining_s};
            recorder.observe(status, {1000, 0}, std::nullopt);
        }
    }
    template <class T>
    std::vector<T> all() const {
        std::vector<T> out;
        for (const auto& r : records) {
            if (const auto* t = std::get_if<T>(&r)) out.push_back(*t);
        }
        return out;
    }
};

}  // namespace

TEST_CASE("a session from its first running: samples each second, laps per step, events") {
    Script s;
    s.run(State::countdown, 10, 0, 0);
    CHECK(s.records.empty());  // a countdown alone is no session
    s.run(State::running, 50, 10.8, 0);
    s.run(State::running, 30, 10.8, 1, 1);
    s.run(State::paused, 20, 0, 1, 1);
    s.run(State::countdown, 5, 0, 1, 1);
    s.run(State::running, 25, 10.8, 1, 1);
    controller::SetpointChange change;
    change.kind = controller::SetpointKind::speed;
    change.cause = controller::SetpointCause::user;
    change.from = 10.8;
    change.to = 11.3;
    s.recorder.setpoint(change, {1000, 0});
    controller::SetpointChange incline = change;
    incline.kind = controller::SetpointKind::incline;
    incline.from = 1;
    incline.to = 2.5;
    s.recorder.setpoint(incline, {1000, 0});
    controller::SetpointChange by_program = incline;  // the program's own change: no event
    by_program.cause = controller::SetpointCause::program;
    s.recorder.setpoint(by_program, {1000, 0});
    s.run(State::running, 10, 11.3, 2, 2, 90);
    s.run(State::running, 10, 11.3, 3, 2);  // left step 2 with 90 s to go: a skip
    s.status.state = State::idle;
    s.recorder.observe(s.status, {2000, 0},
                       controller::SessionSummary{"p", s.elapsed, s.distance, false});

    REQUIRE(s.all<history::SessionStart>().size() == 1);
    CHECK(s.all<history::SessionStart>()[0].program_id == "p");
    CHECK(s.all<history::SessionStart>()[0].seeds_json == "[7]");
    // The text and references as run reach the writer as the status's own (shared) copy.
    REQUIRE(s.all<history::SessionStart>()[0].source);
    CHECK(s.all<history::SessionStart>()[0].source == s.status.program->source);
    CHECK(s.all<history::SessionStart>()[0].source->yaml == "name: Program\n");
    const auto samples = s.all<history::Sample>();
    REQUIRE(samples.size() >= 12);
    for (std::size_t i = 1; i < samples.size(); ++i) {
        CHECK(samples[i].elapsed_s > samples[i - 1].elapsed_s);
        CHECK(samples[i].distance_mm >= samples[i - 1].distance_mm);
    }
    const auto laps = s.all<history::LapStart>();
    REQUIRE(laps.size() == 4);
    CHECK(laps[1].kind == "recover");
    CHECK_FALSE(laps[1].active);
    CHECK(laps[1].rep == 1);
    CHECK(laps[1].start_s == doctest::Approx(5.1));  // the first cycle seen in step 1
    std::vector<std::string> kinds;
    for (const auto& e : s.all<history::Event>()) kinds.push_back(e.kind);
    std::string joined;
    for (const auto& k : kinds) joined += k + " ";
    CHECK(joined == "pause resume speed incline skip ");
    const auto ends = s.all<history::SessionEnd>();
    REQUIRE(ends.size() == 1);
    CHECK(ends[0].ended == history::Ended::stopped);
    CHECK(ends[0].duration_s == doctest::Approx(s.elapsed));
    CHECK(ends[0].distance_mm == std::llround(s.distance * 1000));
    CHECK_FALSE(s.recorder.recording());
}

TEST_CASE("a fault ends the session with its code; a completed program ends completed") {
    Script s;
    s.run(State::running, 30, 12, 0);
    s.status.state = State::fault;
    s.status.fault = controller::FaultStatus{"safety_key", "key out", {}, std::nullopt};
    s.recorder.observe(s.status, {1000, 0},
                       controller::SessionSummary{"p", s.elapsed, s.distance, false});
    auto ends = s.all<history::SessionEnd>();
    REQUIRE(ends.size() == 1);
    CHECK(ends[0].ended == history::Ended::fault);
    CHECK(ends[0].fault_code == "safety_key");
    CHECK(s.all<history::Event>().back().kind == "fault");

    CHECK_FALSE(ends[0].body_mass_kg);  // no profile mass: no energy estimate

    Script done;
    done.recorder = HistoryRecorder{
        [&done](history::Record r) { done.records.push_back(std::move(r)); }, 1.0, "test", 70.0};
    done.run(State::running, 30, 12, 0);
    done.status.state = State::idle;
    done.recorder.observe(done.status, {1000, 0},
                          controller::SessionSummary{"p", done.elapsed, done.distance, true});
    CHECK(done.all<history::SessionEnd>().at(0).ended == history::Ended::completed);
    CHECK(done.all<history::SessionEnd>().at(0).body_mass_kg == 70.0);
}
