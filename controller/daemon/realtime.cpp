#include "controller/daemon/realtime.hpp"

#include <malloc.h>
#include <sched.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstring>

namespace treadmill::daemon {

namespace {

// Plenty for every thread of the daemon (the deep work, YAML and programs, runs on the loop
// thread, whose stack is the process's own); each locked thread costs this much memory.
constexpr std::size_t kThreadStackBytes = 512 * 1024;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitizer = true;
#else
constexpr bool kSanitizer = false;
#endif
#else
constexpr bool kSanitizer = false;
#endif

std::string error_text(int error) {
    return std::strerror(error);
}

}  // namespace

bool Scheduling::realtime() const {
    return policy == SCHED_FIFO || policy == SCHED_RR;
}

Scheduling current_scheduling() {
    Scheduling s;
    s.policy = ::sched_getscheduler(0);
    sched_param param{};
    if (::sched_getparam(0, &param) == 0) s.priority = param.sched_priority;
    return s;
}

std::string describe(const Scheduling& s) {
    switch (s.policy) {
        case SCHED_FIFO:
            return "SCHED_FIFO " + std::to_string(s.priority);
        case SCHED_RR:
            return "SCHED_RR " + std::to_string(s.priority);
        case SCHED_OTHER:
            return "SCHED_OTHER";
        case SCHED_BATCH:
            return "SCHED_BATCH";
        case SCHED_IDLE:
            return "SCHED_IDLE";
        default:
            return "policy " + std::to_string(s.policy);
    }
}

void prepare_memory_for_locking() {
    // One arena: each further one reserves 64 MiB of address space, which counts in full
    // against LimitMEMLOCK= once memory is locked.
    ::mallopt(M_ARENA_MAX, 1);
    pthread_attr_t attr;
    if (pthread_getattr_default_np(&attr) != 0) return;
    pthread_attr_setstacksize(&attr, kThreadStackBytes);
    pthread_setattr_default_np(&attr);
    pthread_attr_destroy(&attr);
}

std::string lock_memory() {
    // A sanitizer reserves terabytes of shadow memory: locking it would fault it all in.
    if (kSanitizer) return "not tried in a sanitizer build";
    if (::mlockall(MCL_CURRENT | MCL_FUTURE) == 0) return "";
    const int error = errno;
    if (error == ENOMEM) return error_text(error) + " (LimitMEMLOCK= is below the process's size)";
    return error_text(error);
}

std::string place_watchdog_above_loop(pthread_t watchdog) {
    const Scheduling loop = current_scheduling();
    if (!loop.realtime()) return "";
    const int top = ::sched_get_priority_max(loop.policy);
    if (loop.priority < top) {
        sched_param above{};
        above.sched_priority = loop.priority + 1;
        const int error = pthread_setschedparam(watchdog, loop.policy, &above);
        if (error == 0) return "watchdog thread at " + std::to_string(above.sched_priority);
    }
    // Not permitted to raise it (or already at the top): lowering the loop always is.
    sched_param below{};
    below.sched_priority = std::max(loop.priority - 1, ::sched_get_priority_min(loop.policy));
    if (below.sched_priority < loop.priority &&
        pthread_setschedparam(pthread_self(), loop.policy, &below) == 0) {
        return "loop lowered to " + std::to_string(below.sched_priority) +
               " under the watchdog thread";
    }
    return "watchdog thread at the loop's priority (could not be placed above it)";
}

void run_at_normal_priority() {
    if (!current_scheduling().realtime()) return;
    sched_param normal{};
    pthread_setschedparam(pthread_self(), SCHED_OTHER, &normal);
}

void run_below_loop(const Scheduling& loop) {
    if (!loop.realtime() || loop.priority - 1 < ::sched_get_priority_min(loop.policy))
        return run_at_normal_priority();
    sched_param below{};
    below.sched_priority = loop.priority - 1;
    if (pthread_setschedparam(pthread_self(), loop.policy, &below) != 0) run_at_normal_priority();
}

}  // namespace treadmill::daemon
