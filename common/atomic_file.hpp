// Files replaced whole, so a crash or a power cut leaves either the old content or the new, never
// a half-written file: the pairing file, the metrics counters, saved programs, the profile and
// exports all go through here.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace treadmill {

// Replaces `path` with `text`: a temp file beside it (created with `mode`), fsync, rename, then an
// fsync of the directory. On failure `path` is unchanged, the temp file is gone and the error
// names the file and the reason.
Result<Done, std::string> write_file_atomically(const std::string& path, std::string_view text,
                                                mode_t mode);

// Renames an unusable `path` to `path` + ".corrupt" (kept for a person to look at). Returns the
// new name, or why the rename failed.
Result<std::string, std::string> move_file_aside(const std::string& path);

}  // namespace treadmill
