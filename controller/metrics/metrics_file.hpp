// The counters' state file (metrics.file, default /var/lib/treadmilld/metrics.json):
// {"version":1,"clean":false,"counters":{…}}. Written atomically (a temporary file, fsync,
// rename). "clean" is false while the daemon runs and true after a clean shutdown, so a start
// that finds false knows the last run ended otherwise (watchdog abort, kill, power loss).
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "controller/metrics/metric_counters.hpp"

namespace treadmill::metrics {

struct MetricsFileLoad {
    Counters counters;  // zero when the file was absent or unusable
    bool found = false;
    bool clean = true;             // the last run ended cleanly (or there was none)
    std::vector<std::string> log;  // warnings (an unusable file, moved aside)
};

// Reads the file; an unusable one is moved aside to `path` + ".corrupt" and the counters start
// from zero (the log says so).
MetricsFileLoad load_metrics_file(const std::string& path);

std::string metrics_file_text(const Counters& counters, bool clean);
// Writes it atomically; the error says what failed.
Result<Done, std::string> write_metrics_file(const std::string& path, const Counters& counters,
                                             bool clean);

}  // namespace treadmill::metrics
