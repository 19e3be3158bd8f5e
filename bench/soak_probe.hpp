// What the soak measures of the daemon process from outside: resident memory and open file
// descriptors (from /proc), and the latency of its API status calls.
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace treadmill::soak {

// VmRSS of `pid` in kB (-1 when unreadable).
inline long rss_kb(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

// Entries of /proc/<pid>/fd (-1 when unreadable).
inline long open_fds(pid_t pid) {
    std::error_code ec;
    std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec);
    if (ec) return -1;
    long n = 0;
    for (; it != std::filesystem::directory_iterator(); it.increment(ec)) ++n;
    return n;
}

// Latency samples of one minute, in milliseconds.
class Latencies {
  public:
    void add(double ms) { samples_.push_back(ms); }
    std::size_t count() const { return samples_.size(); }
    // The q-quantile (0..1) by nearest rank; 0 without samples.
    double quantile(double q) {
        if (samples_.empty()) return 0;
        std::sort(samples_.begin(), samples_.end());
        const auto rank = static_cast<std::size_t>(q * static_cast<double>(samples_.size() - 1));
        return samples_[rank];
    }
    double max() const {
        return samples_.empty() ? 0 : *std::max_element(samples_.begin(), samples_.end());
    }
    void clear() { samples_.clear(); }

  private:
    std::vector<double> samples_;
};

}  // namespace treadmill::soak
