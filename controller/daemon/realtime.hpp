// Real-time scheduling and locked memory, all best-effort: the policy systemd's
// CPUSchedulingPolicy= gave the process (read back, never set here), mlockall, and the helper
// threads' places around the loop: the watchdog above it, so that a spinning loop cannot starve
// the thread that must notice it; the API thread just below it; the log writer and the D-Bus
// helper at normal priority, so that their blocking calls never compete with it.
#pragma once

#include <pthread.h>

#include <string>

namespace treadmill::daemon {

struct Scheduling {
    int policy = 0;  // SCHED_OTHER, SCHED_FIFO, SCHED_RR...
    int priority = 0;
    bool realtime() const;
};

// The calling thread's policy and priority (sched_getscheduler, sched_getparam).
Scheduling current_scheduling();

// "SCHED_FIFO 50", "SCHED_OTHER".
std::string describe(const Scheduling& s);

// Keeps thread stacks and malloc's per-thread arenas small, so that locked memory stays
// small and within LimitMEMLOCK=. Call before any thread starts.
void prepare_memory_for_locking();

// mlockall(MCL_CURRENT | MCL_FUTURE): "" when locked, else why not.
std::string lock_memory();

// Puts `watchdog` one priority above the calling (loop) thread when that runs a real-time
// policy: raised when permitted (LimitRTPRIO=, CAP_SYS_NICE), else the loop lowered by one.
// Returns what was done, for the start line ("" when the loop is not real-time).
std::string place_watchdog_above_loop(pthread_t watchdog);

// The calling thread leaves any real-time policy (always permitted).
void run_at_normal_priority();

// The calling thread (the API's) goes one priority below `loop` when that is real-time, so it
// never takes the CPU from the control loop but still from ordinary processes; at normal
// priority when the loop is not real-time or already at the lowest. Lowering is always allowed.
void run_below_loop(const Scheduling& loop);

}  // namespace treadmill::daemon
