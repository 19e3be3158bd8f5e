// The soak's scenario: random short programs, random faults at random times, recovery
// (clear, key in, reset) and the next start. One step per status poll.
#include <cstdio>

#include "bench/soak_runner.hpp"
#include "common/json_text.hpp"

namespace treadmill::soak {

using nlohmann::json;

namespace {

// A fault to inject: the simulator command, and whether the belt must stop at once (the
// daemon reads the condition in its next cycle) rather than when the daemon trips.
struct Injection {
    std::string kind;
    json command;
    bool stop_at_once = false;
};

}  // namespace

void SoakRunner::step_scenario() {
    switch (phase_) {
        case Phase::idle:
            return step_idle();
        case Phase::running:
            return step_running();
        case Phase::faulted:
            return step_faulted();
        case Phase::recovering:
            return step_recovering();
    }
}

void SoakRunner::step_idle() {
    if (state_ == "fault") {
        phase_ = Phase::faulted;
        recover_at_ = now_s();
    } else if (state_ == "idle" && now_s() >= next_start_at_) {
        start_program();
    }
}

void SoakRunner::step_running() {
    if (state_ == "fault") {  // a trip nobody asked for directly (or from a "benign" fault)
        phase_ = Phase::faulted;
        recover_at_ = now_s() + uniform(0.5, 3);
    } else if (now_s() >= fault_at_) {
        fault_at_ = kNever;
        inject_fault();
        phase_ = Phase::faulted;
        recover_at_ = now_s() + uniform(1, 4);
    } else if (now_s() >= stop_at_) {
        stop_at_ = kNever;
        ++stops_;
        api({{"cmd", "stop"}});
    } else if (state_ == "idle") {
        phase_ = Phase::idle;
        next_start_at_ = now_s() + uniform(0.5, 2);
    }
}

// Recovers: injections off and the key in; a reset when the daemon latched a fault.
void SoakRunner::step_faulted() {
    if (now_s() < recover_at_) return;
    recover_at_ = kNever;
    sim({{"cmd", "clear"}});
    if (state_ == "fault") {
        send_reset();
        phase_ = Phase::recovering;
        recovering_since_ = now_s();
    } else if (state_ == "idle") {
        phase_ = Phase::idle;
        next_start_at_ = now_s() + uniform(0.5, 2);
    } else {
        phase_ = Phase::running;  // the fault did not trip: the program goes on
    }
}

void SoakRunner::step_recovering() {
    if (state_ == "idle") {
        phase_ = Phase::idle;
        next_start_at_ = now_s() + uniform(0.5, 2);
    } else if (state_ == "fault" && now_s() - last_reset_at_ > 3) {
        sim({{"cmd", "clear"}});
        send_reset();
    }
    if (phase_ == Phase::recovering && now_s() - recovering_since_ > 60) {
        other_violations_.push_back("no recovery within 60 s (state " + state_ + ")");
        std::fprintf(stderr, "soak: VIOLATION no recovery within 60 s\n");
        recovering_since_ = now_s();
    }
}

void SoakRunner::send_reset() {
    last_reset_at_ = now_s();
    api({{"cmd", "reset"}});
}

// 1..3 steps of 3..8 s at random speeds and inclines within the daemon's limits.
void SoakRunner::start_program() {
    std::string yaml =
        "schema: treadmill-workout/1\nname: soak " + std::to_string(programs_) + "\nsteps:\n";
    double duration = 0;
    for (int n = pick(1, 3); n > 0; --n) {
        const int seconds = pick(3, 8);
        char step[160];
        std::snprintf(step, sizeof step,
                      "  - run: %d s\n    speed: %.1f km/h\n    incline: %.1f%%\n", seconds,
                      uniform(limits_.min_kmh + 0.2, limits_.max_kmh), uniform(0, 10));
        yaml += step;
        duration += seconds;
    }
    const double sent_at = sim_now();
    const auto reply = api({{"cmd", "start"}, {"yaml", yaml}});
    if (!reply || (*reply)["ok"] != true) {
        next_start_at_ = now_s() + 1;
        return;
    }
    checker_.start_accepted(sent_at);
    ++programs_;
    phase_ = Phase::running;
    fault_at_ = uniform(0, 1) < 0.75 ? now_s() + uniform(1.5, duration + 3) : kNever;
    stop_at_ = uniform(0, 1) < 0.15 ? now_s() + uniform(2, duration) : kNever;
}

void SoakRunner::inject_fault() {
    const std::vector<Injection> choices = {
        {"drop", {{"cmd", "drop"}, {"count", pick(1, 3)}}},
        {"delay", {{"cmd", "delay"}, {"ms", pick(20, 150)}, {"count", pick(1, 3)}}},
        {"corrupt_crc", {{"cmd", "corrupt_crc"}, {"count", pick(1, 2)}}},
        {"garbage", {{"cmd", "garbage"}, {"bytes", pick(1, 16)}}},
        {"key_out", {{"cmd", "key"}, {"present", false}}, true},
        {"drive_fault", {{"cmd", "fault"}, {"unit", 1}, {"code", pick(1, 9)}}, true},
        {"incline_fault", {{"cmd", "fault"}, {"unit", 2}, {"code", pick(1, 5)}}, true},
        {"stall", {{"cmd", "stall"}, {"what", "belt"}, {"on", true}}},
        {"runaway", {{"cmd", "runaway"}, {"on", true}}},
        {"silence", {{"cmd", "silence"}, {"seconds", uniform(0.2, 0.8)}}},
        {"exception", {{"cmd", "exception"}, {"code", 4}, {"count", 1}}},
    };
    const auto& chosen =
        choices[static_cast<std::size_t>(pick(0, static_cast<int>(choices.size()) - 1))];
    const json reply = sim(chosen.command);
    const double done_at = sim_now();
    if (reply.value("ok", false) != true) {
        std::fprintf(stderr, "soak: simulator refused %s: %s\n", json_text(chosen.command).c_str(),
                     json_text(reply).c_str());
        return;
    }
    ++faults_;
    ++faults_by_kind_[chosen.kind];
    if (chosen.stop_at_once) checker_.must_stop_from(done_at, chosen.kind);
}

}  // namespace treadmill::soak
