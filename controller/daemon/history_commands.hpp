// The API's history commands, each read on the worker thread from its own read-only connection:
//   history                 → {"sessions": [{"id","program_id","name","start_utc","utc_offset_s",
//                              "duration_s","distance_m","ended","fault_code","simulated"}]}
//   history_show {"session": N} → {"session": {…those, "laps", "events", "samples", "summary",
//                              "bests"}}  ("id" is the request's own id in this protocol)
//   bests {"all": bool}     → {"bests": [{"distance","time_s","session","date"}]}
//   progress {"all": bool}  → {"mile": [{"session","date","time_s"}] (oldest first),
//                              "weeks": [{"week","distance_m","duration_s","sessions"}] (12)}
//   export {"session": N, "format": "fit"|"tcx"|"csv"|"laps-csv"}
//                           → {"filename","encoding":"base64","data"}; a session still being
//                              recorded is refused (its summary messages are not written yet)
#pragma once

#include <optional>
#include <string>

#include "controller/api/dispatcher.hpp"
#include "controller/api/off_loop_worker.hpp"
#include "programs/profile_location.hpp"

namespace treadmill::daemon {

// `profile`: the runner's profile, read at each export for the body mass (energy).
void add_history_commands(api::CommandTable& table, api::OffLoopWorker& worker,
                          const std::string& database, const programs::ProfileLocation& profile);

// The stored end-of-workout summary of session `id` ({} when it has none; throws SqliteError).
nlohmann::json summary_of(const std::string& database, std::int64_t id);

// The body mass in the profile file read now; none when it is missing or invalid.
std::optional<double> profile_body_mass(const programs::ProfileLocation& profile);

}  // namespace treadmill::daemon
