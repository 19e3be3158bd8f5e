// The watchdog's durable mark: before it aborts the process, the watchdog thread writes one line
// (why it aborted) to a small file beside metrics.file, so that the next start can count the
// abort as a safety stop with source `watchdog` (docs/fleet.md). Written synchronously with
// fsync, on a helper thread the watchdog waits for at most a bound: a slow or failing disk never
// keeps the process from aborting.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace treadmill::daemon {

// Where the mark lives for a given metrics file: `metrics_file` + ".watchdog".
std::string watchdog_mark_path(const std::string& metrics_file);

// Writes `reason` to `path` (create or truncate, fsync the file and its directory), waiting at
// most `limit`. "" when written; otherwise why not (a timeout included). Never throws.
std::string write_watchdog_mark(const std::string& path, const std::string& reason,
                                std::chrono::milliseconds limit) noexcept;

// The mark's reason, or nothing when there is no mark (an unreadable one reads as "").
std::optional<std::string> read_watchdog_mark(const std::string& path);

// Removes the mark once it is counted; "" when it is gone (or was never there), else why not.
std::string remove_watchdog_mark(const std::string& path);

}  // namespace treadmill::daemon
