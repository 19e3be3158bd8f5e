// The pairing commands of the control API (docs/api.md, "Pairing"): pair_issue, pair_redeem,
// pair_check, pair_list, pair_revoke. They run on the io_context thread against the store; a
// change (redeem, revoke) is written to the pairing file on the worker, and answered once it
// is on disk, so a token handed out always survives a restart.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "controller/api/dispatcher.hpp"
#include "controller/api/pairing_store.hpp"

namespace treadmill::api {

class OffLoopWorker;

struct PairingApi {
    PairingStore& store;
    std::string file;                                             // empty: kept in memory only
    std::function<TimePoint()> now;                               // the steady clock
    std::function<std::chrono::system_clock::time_point()> wall;  // for paired_utc
    OffLoopWorker* worker = nullptr;              // writes the file; null: on the calling thread
    std::function<void(const std::string&)> log;  // a failed write (may be empty)
};

// Adds the five commands to `table`; `api` must outlive it.
void add_pairing_commands(CommandTable& table, const PairingApi& api);

// At shutdown, with the worker idle and the loop stopped: writes the devices when a change never
// reached the file (its write was still queued when the worker stopped). The error, or "".
std::string save_pairing_now(const PairingApi& api);

}  // namespace treadmill::api
