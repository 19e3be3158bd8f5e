// What a workout was run from, as the history keeps it: the program's YAML text as run, and the
// references it resolved against (the profile's, and the --pace overrides), as JSON text. Built
// once where the program is read (off the control loop), then shared read-only: the loop only
// copies the pointer, the history's writer thread stores the text.
#pragma once

#include <string>

namespace treadmill {

struct RunSource {
    std::string yaml;
    // {"profile": file or null, "references": {name: text}, "overrides": {name: text}}
    std::string profile_json = "{}";
};

}  // namespace treadmill
