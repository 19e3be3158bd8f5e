// "Did you mean": the closest known word (keys, references, units) to a near miss.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace treadmill::programs {

// The closest candidate within a small edit distance (a transposition counts as one edit);
// among equally close ones, the one sharing the longest prefix with `word`, then the first.
// "" when none is close.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);
// " (did you mean 'x'?)" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace treadmill::programs
