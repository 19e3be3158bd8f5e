// `profile_update_from_mile {"session"?: N, "write": bool}`: new profile references (mile, 5k,
// 10k, threshold, easy, jog; history/mile_prediction.hpp) from a session's mile best, or from
// the runner's mile best without a session; the reply shows each old and new value, and the
// profile file named in the config is rewritten only with "write": true. On the worker thread.
//   → {"session","mile_s","profile","written","references":[{"name","old","new"}]}
#pragma once

#include <map>
#include <string>

#include "common/result.hpp"
#include "controller/api/dispatcher.hpp"
#include "controller/api/off_loop_worker.hpp"

namespace treadmill::daemon {

void add_profile_update_command(api::CommandTable& table, api::OffLoopWorker& worker,
                                const std::string& database, const std::string& profile);

// Sets `paces` in the profile file at `path` (created with its schema line when missing),
// keeping its other keys; written to a temporary file beside it, then renamed.
Result<bool, std::string> write_profile_paces(const std::string& path,
                                              const std::map<std::string, std::string>& paces);

}  // namespace treadmill::daemon
