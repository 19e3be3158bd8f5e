// The API's commands bound to the controller: each handler reads the clock through `now`,
// calls one ControlCycle command (they only record intent; the next cycle acts) or reads its
// status snapshot, and never blocks.
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

struct ControllerApi {
    controller::ControlCycle& cycle;
    const ProgramCatalog& catalog;
    std::function<TimePoint()> now;               // the steady clock, read on the io_context thread
    sim::EmbeddedSimulator* simulator = nullptr;  // the embedded simulator, when it runs
    std::function<json()> loop;                   // status.loop (the control loop's punctuality)
};

// status, programs, show, start, pause, resume, stop, skip, speed, incline, estop, reset, sim.
// `api` must outlive the table.
CommandTable make_controller_commands(const ControllerApi& api);

// The `status` object for `status` and `watch`.
json current_status(const ControllerApi& api);

}  // namespace treadmill::api
