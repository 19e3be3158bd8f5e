// Where the runner's profile is read and written: the file the config names (by default in the
// daemon's state directory, where `profile update-from-mile --yes` may write it), and, while
// that file is absent, the old default location it is still read from (docs/history.md).
#pragma once

#include <string>

namespace treadmill::programs {

struct ProfileLocation {
    std::string path;      // read when it exists; the file a rewrite writes
    std::string fallback;  // read while `path` is absent (empty: none)

    // The file to read now: `path` when it exists, else `fallback` when that exists, else
    // `path` (absent: no profile).
    std::string to_read() const;
    // True when `to_read()` is the fallback.
    bool reads_fallback() const;
};

}  // namespace treadmill::programs
