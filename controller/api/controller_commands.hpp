// The API's commands bound to the controller: each handler reads the clock through `now`,
// calls one ControlCycle command (they only record intent; the next cycle acts) or reads its
// status snapshot, and never blocks. `programs`, `show` and `start` read and parse programs on
// the worker (when given) and answer later; `start` then acts on the loop thread.
#pragma once

#include <chrono>
#include <functional>

#include "controller/api/dispatcher.hpp"
#include "controller/api/program_catalog.hpp"
#include "controller/control_cycle.hpp"

namespace treadmill::sim {
class EmbeddedSimulator;
}

namespace treadmill::api {

class OffLoopWorker;

struct ControllerApi {
    controller::ControlCycle& cycle;
    const ProgramCatalog& catalog;
    std::function<TimePoint()> now;               // the steady clock, read on the io_context thread
    sim::EmbeddedSimulator* simulator = nullptr;  // the embedded simulator, when it runs
    std::function<json()> loop;                   // status.loop (the control loop's punctuality)
    OffLoopWorker* worker = nullptr;  // reads programs off the loop; null: on the calling thread
    // status.history (the recorder's state), when the daemon records workouts.
    std::function<json()> history = {};
    std::function<json()> maintenance_due{};  // status.maintenance_due; none: []
    std::function<json()> api_timing{};       // status.api (the servers' service times); none: null
};

// status, programs, show, start, pause, resume, stop, skip, speed, incline, estop, reset, sim.
// `api` must outlive the table. A start still being read is not applied when a stop, pause,
// estop or reset came in the meantime (refused instead).
CommandTable make_controller_commands(const ControllerApi& api);

// The `status` object for `status` and `watch`.
json current_status(const ControllerApi& api);

}  // namespace treadmill::api
