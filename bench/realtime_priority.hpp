// Real-time priority for the processes a benchmark starts: every thread of a process moved to
// SCHED_FIFO (`chrt -a -f -p`, as the systemd unit starts treadmilld; needs root or
// CAP_SYS_NICE), and how many of its threads run real-time. Header-only.
#pragma once

#include <sched.h>
#include <sys/types.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <string>

#include "tests/support/test_support.hpp"

namespace treadmill::bench {

// Moves every thread of `pid` to SCHED_FIFO `priority`; "" when done, else chrt's reason.
inline std::string make_fifo(pid_t pid, int priority) {
    const auto chrt = testing::run_command(
        {"chrt", "-a", "-f", "-p", std::to_string(priority), std::to_string(pid)},
        std::chrono::seconds(5));
    if (chrt.exit_code == 0) return {};
    std::string why = chrt.output;
    while (!why.empty() && std::isspace(static_cast<unsigned char>(why.back()))) why.pop_back();
    return why.empty() ? "chrt exited " + std::to_string(chrt.exit_code) : why;
}

// The threads of `pid` and how many of them run at SCHED_FIFO or SCHED_RR.
struct RealtimeThreads {
    int realtime = 0, total = 0;
};

inline RealtimeThreads realtime_threads(pid_t pid) {
    RealtimeThreads r;
    std::error_code ec;
    for (const auto& task :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
        const int policy = sched_getscheduler(std::stoi(task.path().filename().string()));
        if (policy < 0) continue;  // the thread ended meanwhile
        ++r.total;
        if (policy == SCHED_FIFO || policy == SCHED_RR) ++r.realtime;
    }
    return r;
}

// One line on a process: its name, pid and how many of its threads run real-time.
inline std::string priority_line(const char* name, pid_t pid) {
    const auto r = realtime_threads(pid);
    char line[160];
    std::snprintf(line, sizeof line, "  %-13s pid %-7d %s (%d of %d threads at SCHED_FIFO/RR)\n",
                  name, static_cast<int>(pid),
                  r.total > 0 && r.realtime == r.total ? "real-time"
                  : r.realtime > 0                     ? "partly real-time"
                                                       : "normal priority",
                  r.realtime, r.total);
    return line;
}

}  // namespace treadmill::bench
