// What the benchmarks read of treadmilld and its neighbours from outside: the loop's start-delay
// histogram from a status (status.loop.late_hist) and its percentiles, and a process's CPU time
// and resident memory from /proc. Header-only.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "common/latency_histogram.hpp"

namespace treadmill::bench {

// Percentiles from a histogram of kLatencyBoundsMs buckets: each the upper bound of the bucket
// it falls in (the top bucket: `max_ms`).
struct Jitter {
    std::uint64_t cycles = 0;
    double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

inline Jitter jitter_of(const LatencyHistogram& h, double max_ms) {
    Jitter j;
    for (const auto n : h) j.cycles += n;
    const auto bound = [&](std::size_t i) {
        return i < kLatencyBoundsMs.size() ? kLatencyBoundsMs[i] : max_ms;
    };
    const auto quantile = [&](double q) {
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < h.size(); ++i) {
            seen += h[i];
            if (static_cast<double>(seen) >= q * static_cast<double>(j.cycles)) return bound(i);
        }
        return max_ms;
    };
    if (j.cycles == 0) return j;
    j.p50_ms = quantile(0.5);
    j.p99_ms = quantile(0.99);
    for (std::size_t i = h.size(); i-- > 0;) {
        if (h[i] > 0) {
            j.max_ms = bound(i);
            break;
        }
    }
    return j;
}

// A histogram of the status's status.loop (`key`: "late_hist" or "cycle_hist"); nullopt when
// the status has none.
inline std::optional<LatencyHistogram> loop_histogram(const nlohmann::json& status,
                                                      const char* key = "late_hist") {
    LatencyHistogram h{};
    if (!status.is_object() || !status.contains("loop") || !status["loop"].is_object())
        return std::nullopt;
    const auto& loop = status["loop"];
    if (!loop.contains(key) || !loop[key].is_array() || loop[key].size() != h.size())
        return std::nullopt;
    for (std::size_t i = 0; i < h.size(); ++i) h[i] = loop[key][i].get<std::uint64_t>();
    return h;
}

// `after` - `before`, bucket by bucket.
inline LatencyHistogram histogram_diff(const LatencyHistogram& after,
                                       const LatencyHistogram& before) {
    LatencyHistogram d{};
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = after[i] - before[i];
    return d;
}

// CPU seconds (user + system) of a process, from /proc/PID/stat.
inline double cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    const auto close = text.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; fields >> field; ++i) {  // field 3 is the state
        if (i == 14) utime = std::stod(field);
        if (i == 15) {
            stime = std::stod(field);
            break;
        }
    }
    return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Resident memory of a process in kB (VmRSS; 0 when unreadable).
inline long rss_kb(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return 0;
}

}  // namespace treadmill::bench
