// A fault scenario as written in tests/scenarios/*.yaml: the program, a timeline of actions at
// wall offsets or on conditions, and the expected outcome. See docs/reliability.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace treadmill::scenarios {

// What a timeline step waits for before it acts (all given fields must hold).
struct Condition {
    std::optional<std::string> state;  // the daemon's state
    std::optional<std::string> fault;  // the daemon's fault code
    std::optional<double> belt_above;  // the board's belt speed, km/h
    std::optional<double> belt_below;
    std::optional<bool> key_present;    // as the daemon's status reports it
    std::optional<bool> daemon_exited;  // the daemon process is gone
    std::optional<int> drive_fault;     // the board's drive fault code
    bool empty() const;
    std::string describe() const;
};

// One step: wait (`at` from the timeline's zero, `after` the previous step, `when`), then act.
struct Step {
    std::optional<double> at_s;
    std::optional<double> after_s;
    Condition when;
    double within_s = 5.0;          // how long `when` may take
    nlohmann::json sim;             // a board control command (null when none)
    nlohmann::json api;             // a daemon API request (null when none)
    std::string daemon_signal;      // kill9 | sigstop | sigcont | sigterm
    std::string pty;                // remove | restore
    std::optional<bool> expect_ok;  // the API reply's "ok"
    bool mark = false;              // the fault instant the timings count from
    bool has_action() const;
    std::string describe() const;
};

struct Expectation {
    std::vector<std::string> trips{"none"};  // acceptable first fault codes; "abort" = the
                                             // daemon aborted; "none" = never in fault
    std::optional<double> trip_within_s;     // mark -> fault latched
    std::optional<double> stop_within_s;     // mark -> first STOP write to the drive
    std::optional<double> rest_within_s;     // mark -> belt below 0.05 km/h
    std::optional<std::string> final_state;  // the daemon's state at the end
    std::optional<int> drive_fault;          // the board's drive fault code at the end
    std::optional<std::string> daemon;       // running | exited
    std::optional<int> exit_code;            // when the daemon exited
    std::optional<int> link_errors_min;      // motor+incline link errors counted after mark
    std::optional<int> link_errors_max;
    bool keeps_running = false;  // no STOP after mark, belt still moving at end
    double observe_s = 1.0;      // keep watching after the last step
};

struct Scenario {
    std::string name;
    std::string proves;
    std::vector<std::string> transports;
    std::string daemon_config;  // appended to the daemon's config
    std::string program;        // "steady 8 km/h [incline 1%]", inline YAML, or a built-in id
    std::optional<double> start_speed;  // start the program, wait for this belt speed
    int board_time_scale = 10;
    std::vector<Step> timeline;
    Expectation expect;
};

// Parses a scenario file; throws std::runtime_error naming the problem.
Scenario load_scenario(const std::string& path);
// "500 ms", "1.5 s", "2 min" or a bare number of seconds.
double parse_seconds(const std::string& text);
// The program as a `start` request's arguments ({"yaml":…} or {"program":…}).
nlohmann::json program_request(const std::string& program);

}  // namespace treadmill::scenarios
