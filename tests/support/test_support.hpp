// Helpers for real-time tests: child processes, pty pairs, polling, commands, temp dirs, ports.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace treadmill::testing {

// A child process started from argv (argv[0] is the program path, looked up in PATH too).
// stdout/stderr go to `output_file` when given (both to the same file), else are inherited.
// The destructor SIGKILLs the child if it still runs, and reaps it.
class ChildProcess {
  public:
    explicit ChildProcess(const std::vector<std::string>& argv,
                          const std::string& output_file = {});
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    // Sends a signal to the child (no-op once it was reaped).
    void signal(int sig);
    // Waits up to `timeout` for the child to exit; returns its exit code, or 128+signal when
    // killed by a signal; nullopt when it still runs.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    bool running();

  private:
    bool try_reap();
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
};

// A connected pair of pseudo-terminals made by socat; a() and b() are symlinks to the ptys.
// down() removes the pair (both ends hang up, as when a USB adapter is pulled) and up() makes a
// new one behind the same links. The constructor calls up() and throws when it fails.
class PtyPair {
  public:
    PtyPair();
    ~PtyPair();
    PtyPair(const PtyPair&) = delete;
    PtyPair& operator=(const PtyPair&) = delete;

    // Starts socat and waits up to 5 s for both links; false when they did not appear.
    bool up();
    // SIGTERM: socat closes both ptys and removes the links. SIGKILL: the links are left
    // dangling, so they are pointed at a path that never exists: the kernel hands the freed
    // /dev/pts numbers to the next pty, which may be another test's, and opening that one
    // would steal its bytes.
    void down(int sig = SIGTERM);
    const std::string& a() const { return a_; }
    const std::string& b() const { return b_; }
    // socat's process id; -1 while it is down.
    pid_t pid() const { return socat_ ? socat_->pid() : -1; }

  private:
    std::string dir_;
    std::string a_;
    std::string b_;
    int generation_ = 0;  // one socat log per up()
    std::optional<ChildProcess> socat_;
};

// Polls `pred` every ~5 ms until it returns true (→ true) or `timeout` passes (→ false).
template <class F>
bool wait_until(F pred, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (pred()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

struct CommandResult {
    int exit_code;       // 128+signal when killed; -1 when the time-out hit (the child is killed)
    std::string output;  // stdout and stderr together
};

// Runs argv to completion (or `timeout`), capturing stdout+stderr.
CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

// A fresh directory under $TMPDIR (or /tmp); the caller removes it if it cares.
std::string make_temp_dir();

// Config lines that keep all a test daemon's state in `dir` (profile.yaml, pairing.json,
// metrics.json, history.db), never in the system's /var/lib/treadmilld; scripts/test fails when
// a test wrote there. The `programs:` map stays the rig's own. A key the rig's own `config`
// already sets is left out, so the rig's choice wins and no key is given twice.
std::string state_in(const std::string& dir, const std::string& config = {});

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0 then released).
std::uint16_t free_tcp_port();

// The whole content of a file ("" when it cannot be read).
std::string read_file(const std::string& path);

}  // namespace treadmill::testing
