// The pairing file (config `pairing.file`): the paired devices with their tokens' hashes, as
// JSON, mode 0600. Read once at start; written whole, atomically (a temp file beside it, fsync,
// rename), by the API's worker thread, never by the control loop's.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "controller/api/pairing_store.hpp"

namespace treadmill::api {

struct PairingFileLoad {
    std::vector<PairedDevice> devices;
    std::vector<std::string> log;  // lines for the daemon's log (a corrupt file, a fixed mode)
};

// The devices of the file at `path`. Absent: none. Unreadable or corrupt: none, a log line
// saying so, and the file moved aside to `path` + ".corrupt" (so it is not overwritten).
PairingFileLoad load_pairing_file(const std::string& path);

// Replaces the file's content with `text` (mode 0600); the error says what failed.
Result<Done, std::string> write_pairing_file(const std::string& path, const std::string& text);

}  // namespace treadmill::api
