// Real-time placement of the daemon's threads and locked memory, each in a forked child (the
// test process keeps its own scheduling and memory). Changing to SCHED_FIFO needs root or
// CAP_SYS_NICE: without it these cases say so and pass.
#include <doctest/doctest.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "controller/daemon/realtime.hpp"

namespace d = treadmill::daemon;

namespace {

bool may_use_fifo() {
    sched_param p{};
    p.sched_priority = 1;
    if (sched_setscheduler(0, SCHED_FIFO, &p) != 0) return false;
    p.sched_priority = 0;
    sched_setscheduler(0, SCHED_OTHER, &p);
    return true;
}

// Runs `body` in a child; its exit code (0 = all its checks held), 128+signal when killed.
int in_child(const std::function<int()>& body) {
    const pid_t pid = fork();
    if (pid == 0) _exit(body());
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int set_fifo(int priority) {
    sched_param p{};
    p.sched_priority = priority;
    return sched_setscheduler(0, SCHED_FIFO, &p);
}

// A thread that waits until told to end, created by the caller (it inherits its policy).
struct IdleThread {
    std::atomic<bool> end{false};
    std::thread thread{[this] {
        while (!end) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }};
    ~IdleThread() {
        end = true;
        thread.join();
    }
    int priority() {
        int policy = 0;
        sched_param p{};
        pthread_getschedparam(thread.native_handle(), &policy, &p);
        return policy == SCHED_FIFO ? p.sched_priority : -1;
    }
};

// Becomes an unprivileged user (no CAP_SYS_NICE, no CAP_IPC_LOCK) keeping its limits.
bool drop_privileges() {
    return setgid(65534) == 0 && setuid(65534) == 0;
}

}  // namespace

TEST_CASE("not real-time: nothing to place, the policy is reported as such") {
    CHECK(d::place_watchdog_above_loop(pthread_self()).empty());
    const d::Scheduling s = d::current_scheduling();
    CHECK_FALSE(s.realtime());
    CHECK(d::describe(s) == "SCHED_OTHER");
}

TEST_CASE("SCHED_FIFO with the right to raise: the watchdog thread goes one above the loop") {
    if (!may_use_fifo()) {
        MESSAGE("skipped: SCHED_FIFO needs root or CAP_SYS_NICE");
        return;
    }
    const int code = in_child([] {
        if (set_fifo(50) != 0) return 10;
        IdleThread watchdog;
        if (watchdog.priority() != 50) return 11;
        const std::string done = d::place_watchdog_above_loop(watchdog.thread.native_handle());
        if (done != "watchdog thread at 51") return 12;
        if (watchdog.priority() != 51) return 13;
        if (d::describe(d::current_scheduling()) != "SCHED_FIFO 50") return 14;
        return 0;
    });
    CHECK(code == 0);
}

TEST_CASE("SCHED_FIFO without the right to raise (LimitRTPRIO= not above the loop): loop lowered") {
    if (!may_use_fifo()) {
        MESSAGE("skipped: SCHED_FIFO needs root or CAP_SYS_NICE");
        return;
    }
    const int code = in_child([] {
        if (set_fifo(50) != 0) return 10;
        const rlimit rtprio{50, 50};
        setrlimit(RLIMIT_RTPRIO, &rtprio);  // may fail (a container): 0 forbids raising as well
        if (!drop_privileges()) return 11;
        IdleThread watchdog;
        const std::string done = d::place_watchdog_above_loop(watchdog.thread.native_handle());
        if (done.find("loop lowered to 49") == std::string::npos) return 12;
        if (watchdog.priority() != 50) return 13;
        if (d::current_scheduling().priority != 49) return 14;
        return 0;
    });
    CHECK(code == 0);
}

TEST_CASE("a helper thread leaves the real-time policy it inherited") {
    if (!may_use_fifo()) {
        MESSAGE("skipped: SCHED_FIFO needs root or CAP_SYS_NICE");
        return;
    }
    const int code = in_child([] {
        if (set_fifo(50) != 0) return 10;
        int policy = -1;
        std::thread([&] {
            d::run_at_normal_priority();
            policy = sched_getscheduler(0);
        }).join();
        return policy == SCHED_OTHER ? 0 : 11;
    });
    CHECK(code == 0);
}

TEST_CASE("the API thread goes one priority below the real-time loop, unprivileged too") {
    if (!may_use_fifo()) {
        MESSAGE("skipped: SCHED_FIFO needs root or CAP_SYS_NICE");
        return;
    }
    const int code = in_child([] {
        if (set_fifo(50) != 0) return 10;
        if (!drop_privileges()) return 11;  // lowering needs no right
        const d::Scheduling loop = d::current_scheduling();
        d::Scheduling api;
        std::thread([&] {
            d::run_below_loop(loop);
            api = d::current_scheduling();
        }).join();
        if (api.policy != SCHED_FIFO || api.priority != 49) return 12;
        if (d::current_scheduling().priority != 50) return 13;  // the loop kept its place
        return 0;
    });
    CHECK(code == 0);
}

TEST_CASE("the API thread at normal priority when the loop is not real-time or at the lowest") {
    d::Scheduling api;
    std::thread([&] {
        d::run_below_loop(d::current_scheduling());
        api = d::current_scheduling();
    }).join();
    CHECK_FALSE(api.realtime());
    if (!may_use_fifo()) return;
    const int code = in_child([] {
        if (set_fifo(1) != 0) return 10;
        const d::Scheduling loop = d::current_scheduling();
        int policy = -1;
        std::thread([&] {
            d::run_below_loop(loop);
            policy = sched_getscheduler(0);
        }).join();
        return policy == SCHED_OTHER ? 0 : 11;
    });
    CHECK(code == 0);
}

TEST_CASE("memory locking: locked within the limit, refused with the reason beyond it") {
    const int locked = in_child([] {
        d::prepare_memory_for_locking();
        std::thread([] {}).join();  // a thread after preparing: its stack is small
        const std::string why = d::lock_memory();
        if (why == "not tried in a sanitizer build") return 20;
        if (!why.empty()) return 10;
        std::ifstream status("/proc/self/status");
        for (std::string line; std::getline(status, line);)
            if (line.rfind("VmLck:", 0) == 0) return std::stol(line.substr(6)) > 0 ? 0 : 11;
        return 12;
    });
    if (locked == 20) {
        MESSAGE("skipped: memory is not locked in a sanitizer build");
        return;
    }
    if (geteuid() == 0)
        CHECK(locked == 0);
    else
        MESSAGE("unprivileged: mlockall within RLIMIT_MEMLOCK gave " << locked);
    const int refused = in_child([] {
        const rlimit small{64 * 1024, 64 * 1024};
        if (setrlimit(RLIMIT_MEMLOCK, &small) != 0) return 10;
        if (geteuid() == 0 && !drop_privileges()) return 11;
        const std::string why = d::lock_memory();
        return why.find("LimitMEMLOCK=") != std::string::npos ? 0 : 12;
    });
    CHECK(refused == 0);
}
