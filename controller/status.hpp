// A snapshot of everything the API's `status` reports (controller.md, "Control API"). Optional
// fields are null in the JSON when they do not apply.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/run_source.hpp"
#include "controller/fault.hpp"
#include "controller/session.hpp"

namespace treadmill::controller {

struct FaultStatus {
    std::string code;  // to_string(FaultCode)
    std::string message;
    TimePoint since{};  // steady clock; the API turns it into RFC 3339 UTC
    std::optional<int> board_code;
};

struct ProgramStatus {
    std::string id;
    std::string name;
    std::vector<std::uint64_t> seeds;
    std::shared_ptr<const RunSource> source;  // the text and references as run (history)
};

struct StepStatus {
    std::size_t index = 0;  // 0-based
    std::size_t count = 0;
    std::string step_class;  // warmup | run | recover | walk | cooldown
    std::string cue;
    std::optional<int> rep, reps;
    double remaining_s = 0;
    double remaining_m = 0;
};

struct SpeedStatus {
    std::optional<double> program_kmh;  // what the program asks (null in manual steps)
    double target_kmh = 0;              // what is commanded (after the rate limiter)
    std::optional<double> actual_kmh;   // the roller
};

struct InclineStatus {
    std::optional<double> program_pct;
    std::optional<double> target_pct;  // what is commanded
    std::optional<double> actual_pct;
};

struct LinkStatus {
    bool ok = false;  // the last transaction succeeded and the board was heard recently
    std::optional<double> last_good_s_ago;
    std::uint64_t errors = 0;
};

struct Status {
    State state = State::connecting;
    std::optional<std::string> reason;  // why `connecting` waits
    std::optional<FaultStatus> fault;   // the first (reported) cause
    std::vector<FaultStatus> later_faults;
    bool reset_pending = false;  // reset accepted, waiting for the belt to stop
    bool resettable = false;     // in fault, and a `reset` would be accepted now
    std::optional<ProgramStatus> program;
    std::optional<StepStatus> step;
    std::optional<double> elapsed_s;  // workout clock
    std::optional<double> distance_m;
    std::optional<double> countdown_s;  // remaining countdown (wall clock)
    SpeedStatus speed;
    std::optional<double> pace_s_per_km;  // null below minimum speed
    InclineStatus incline;
    std::optional<bool> key_present;
    LinkStatus motor;
    LinkStatus incline_link;
    bool ready = false;  // reached idle once since start (systemd READY=1)
};

}  // namespace treadmill::controller
