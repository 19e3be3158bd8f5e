// What the benchmarks share: command-line flags, percentiles of samples, a wall-clock
// stopwatch. Header-only; each benchmark is one executable.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace treadmill::bench {

using WallClock = std::chrono::steady_clock;

// True when `flag` is among the arguments.
inline bool has_flag(int argc, char** argv, const std::string& flag) {
    for (int i = 1; i < argc; ++i) {
        if (argv[i] == flag) return true;
    }
    return false;
}

// Exits with a usage message when an argument is not among `known`.
inline void require_known_flags(int argc, char** argv, const std::vector<std::string>& known,
                                const char* usage) {
    for (int i = 1; i < argc; ++i) {
        if (std::find(known.begin(), known.end(), argv[i]) == known.end()) {
            std::fprintf(stderr, "usage: %s\n", usage);
            std::exit(2);
        }
    }
}

// Summary of a set of samples (any unit); all zero when there are none.
struct Percentiles {
    std::size_t count = 0;
    double min = 0, p50 = 0, p99 = 0, max = 0;
};

inline Percentiles percentiles(std::vector<double> samples) {
    Percentiles p;
    p.count = samples.size();
    if (samples.empty()) return p;
    std::sort(samples.begin(), samples.end());
    const auto at = [&](double q) {
        return samples[std::min(samples.size() - 1,
                                static_cast<std::size_t>(q * static_cast<double>(samples.size())))];
    };
    p.min = samples.front();
    p.p50 = at(0.5);
    p.p99 = at(0.99);
    p.max = samples.back();
    return p;
}

// Seconds of wall clock since construction.
class Stopwatch {
  public:
    double seconds() const {
        return std::chrono::duration<double>(WallClock::now() - start_).count();
    }

  private:
    WallClock::time_point start_ = WallClock::now();
};

}  // namespace treadmill::bench
