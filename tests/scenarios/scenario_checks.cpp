// The expectation of a scenario, the invariant every scenario checks, and the timing line.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "common/json_text.hpp"
#include "tests/e2e/e2e_rig.hpp"
#include "tests/scenarios/scenario_run.hpp"

namespace treadmill::scenarios {

namespace {

constexpr double kTripTolerance = 0.015;  // clock alignment between the processes
constexpr int kAbortExit = 128 + 6;       // SIGABRT

std::string ms(double seconds) {
    std::ostringstream out;
    out << std::lround(seconds * 1000.0) << " ms";
    return out.str();
}

std::string within(const char* what, std::optional<double> from, std::optional<double> to,
                   std::optional<double> limit) {
    if (!limit) return {};
    if (!from || !to) return std::string(what) + ": never seen (limit " + ms(*limit) + ")";
    if (*to - *from > *limit)
        return std::string(what) + ": " + ms(*to - *from) + " > limit " + ms(*limit);
    return {};
}

// The last `lines` lines of a log.
std::string tail(const std::string& text, int lines) {
    std::size_t at = text.size();
    for (int n = 0; n <= lines && at > 0 && at != std::string::npos; ++n)
        at = text.rfind('\n', at - 1);
    return at == std::string::npos ? text : text.substr(at + 1);
}

}  // namespace

void ScenarioRun::check_expectation() {
    const auto& e = scenario_.expect;
    const auto& trips = e.trips;
    const bool aborted = seen_.exit_code && *seen_.exit_code == kAbortExit;
    const std::string outcome = seen_.fault ? *seen_.fault : aborted ? "abort" : "none";
    if (std::find(trips.begin(), trips.end(), outcome) == trips.end())
        fail("outcome " + outcome + ", expected one of: " + json_text(nlohmann::json(trips)));
    for (const auto& problem :
         {within("mark -> fault latched", seen_.mark_t, seen_.fault_t, e.trip_within_s),
          within("mark -> first STOP write", seen_.mark_t, seen_.first_stop_t, e.stop_within_s),
          within("mark -> belt at rest", seen_.mark_t, seen_.rest_t, e.rest_within_s)})
        if (!problem.empty()) fail(problem);
    if (e.final_state && seen_.last_state != *e.final_state)
        fail("final state " + seen_.last_state + ", expected " + *e.final_state);
    if (e.drive_fault && board_->drive_fault() != *e.drive_fault)
        fail("board drive fault " + std::to_string(board_->drive_fault()) + ", expected " +
             std::to_string(*e.drive_fault));
    if (e.daemon && (*e.daemon == "exited") != daemon_exited_)
        fail(std::string("daemon ") + (daemon_exited_ ? "exited" : "still runs") + ", expected " +
             *e.daemon);
    if (e.exit_code && seen_.exit_code != e.exit_code)
        fail("daemon exit code " + (seen_.exit_code ? std::to_string(*seen_.exit_code) : "none") +
             ", expected " + std::to_string(*e.exit_code));
    if (e.link_errors_min &&
        seen_.link_errors_last - seen_.link_errors_at_mark < *e.link_errors_min)
        fail("link errors after the mark: " +
             std::to_string(seen_.link_errors_last - seen_.link_errors_at_mark) +
             ", expected >= " + std::to_string(*e.link_errors_min));
    if (e.link_errors_max &&
        seen_.link_errors_last - seen_.link_errors_at_mark > *e.link_errors_max)
        fail("link errors after the mark: " +
             std::to_string(seen_.link_errors_last - seen_.link_errors_at_mark) +
             ", expected <= " + std::to_string(*e.link_errors_max));
    if (e.keeps_running) {
        if (seen_.first_stop_t) fail("a STOP was written after the mark");
        if (board_->belt_kmh() < 1.0) fail("the belt stopped");
        if (seen_.last_state != "running") fail("the daemon left running: " + seen_.last_state);
    }
}

// After any trip, freeze, or STOP that ended motion, a RUN with a frequency above 0 needs an
// explicit `start` or `resume` in between.
void ScenarioRun::check_no_motion_without_start() {
    struct Item {
        double t;
        int rank;  // events before writes at the same instant
        const MotionEvent* event;
        const DriveWrite* write;
    };
    std::vector<Item> items;
    for (const auto& e : seen_.events)
        items.push_back({e.kind == MotionEvent::trip ? e.t + kTripTolerance : e.t, 0, &e, nullptr});
    for (const auto& w : board_->drive_writes()) items.push_back({w.t, 1, nullptr, &w});
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
        return a.t != b.t ? a.t < b.t : a.rank < b.rank;
    });
    bool allowed = false, moving = false;
    std::string why = "before any start";
    for (const auto& item : items) {
        if (item.event) {
            allowed = item.event->kind == MotionEvent::explicit_start;
            moving = false;
            why = "after " + item.event->what;
            continue;
        }
        const auto& w = *item.write;
        if (w.command == kStopCommand && moving) {
            allowed = moving = false;
            why = "after the STOP at " + ms(w.t - started_t_);
        } else if (w.command == kRunForwardCommand && w.frequency != 0) {
            if (!allowed)
                return fail("RUN " + std::to_string(w.frequency) + " written at " +
                            ms(w.t - started_t_) + " " + why + " with no explicit start");
            moving = true;
        }
    }
}

std::string ScenarioRun::timing_line(bool passed) const {
    const auto since_mark = [&](std::optional<double> t) {
        return seen_.mark_t && t ? ms(*t - *seen_.mark_t) : std::string("-");
    };
    std::ostringstream line;
    const bool aborted = seen_.exit_code && *seen_.exit_code == kAbortExit;
    const std::string outcome = seen_.fault ? *seen_.fault : aborted ? "abort" : "none";
    line << (passed ? "PASS" : "FAIL") << " | trip " << outcome << " " << since_mark(seen_.fault_t)
         << " (stamped " << since_mark(seen_.fault_stamp_t) << ") | stop frame "
         << since_mark(seen_.first_stop_t) << " | belt at 0 " << since_mark(seen_.rest_t)
         << " | link errors +"
         << std::max(0, seen_.link_errors_last - std::max(0, seen_.link_errors_at_mark))
         << " | final " << seen_.last_state << " | wall "
         << static_cast<double>(std::lround((runner_now() - started_t_) * 10.0)) / 10.0 << " s";
    return line.str();
}

std::string ScenarioRun::logs() const {
    std::ostringstream out;
    if (daemon_) out << "--- daemon log (end)\n" << tail(daemon_->log(), 40);
    if (board_) {
        out << "--- board log (end)\n" << tail(board_->log(), 15) << "--- drive writes\n";
        for (const auto& w : board_->drive_writes())
            if (!seen_.mark_t || w.t >= *seen_.mark_t - 0.3)
                out << ms(w.t - started_t_) << " cmd " << w.command << " f " << w.frequency << "\n";
    }
    return out.str();
}

}  // namespace treadmill::scenarios
