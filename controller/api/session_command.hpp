// The API's `session` command: {"session": null | {"program":{…as show…},"step","rep","laps",
// "summary"}} from the SessionTracker; the program is rendered on the worker.
#pragma once

#include "controller/api/dispatcher.hpp"
#include "controller/api/session_tracker.hpp"

namespace treadmill::api {

class OffLoopWorker;

struct SessionApi {
    const SessionTracker& tracker;
    OffLoopWorker* worker = nullptr;  // renders the program; null: on the calling thread
};

// Adds `session` to `table`; `api` must outlive it.
void add_session_command(CommandTable& table, const SessionApi& api);

}  // namespace treadmill::api
