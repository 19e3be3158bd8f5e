// `profile_update_from_mile {"session"?: N, "write": bool}`: new profile references (mile, 5k,
// 10k, threshold, easy, jog; history/mile_prediction.hpp) from a session's mile best, or from
// the runner's mile best without a session; the reply shows each old and new value (the old
// from the profile read now), and the profile file named in the config (by default in the state
// directory) is written only with "write": true. On the worker thread.
//   → {"session","mile_s","profile","read_from","written","references":[{"name","old","new"}]}
#pragma once

#include <map>
#include <string>

#include "common/result.hpp"
#include "controller/api/dispatcher.hpp"
#include "controller/api/off_loop_worker.hpp"
#include "programs/profile_location.hpp"

namespace treadmill::daemon {

void add_profile_update_command(api::CommandTable& table, api::OffLoopWorker& worker,
                                const std::string& database,
                                const programs::ProfileLocation& profile);

// Sets `paces` in the profile file at `path`, keeping the other keys of `from` (default: `path`
// itself; the old default location when the profile moves); a missing `from` starts from the
// schema line. Written to a temporary file beside `path`, then renamed.
Result<bool, std::string> write_profile_paces(const std::string& path,
                                              const std::map<std::string, std::string>& paces,
                                              const std::string& from = {});

}  // namespace treadmill::daemon
