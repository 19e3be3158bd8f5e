// ChildProcess: fork/exec with optional output capture, kill-and-reap on destruction.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

#include "tests/support/test_support.hpp"

namespace treadmill::testing {

namespace {

// In the child: redirect stdout/stderr, then exec; never returns.
[[noreturn]] void exec_child(std::vector<char*>& args, const std::string& output_file) {
    if (!output_file.empty()) {
        int fd = ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ::dup2(fd, STDOUT_FILENO);
            ::dup2(fd, STDERR_FILENO);
        }
    }
    int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::setpgid(0, 0);
    ::execvp(args[0], args.data());
    ::_exit(127);
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& output_file) {
    if (argv.empty()) throw std::invalid_argument("ChildProcess: empty argv");
    std::vector<std::string> copy = argv;
    std::vector<char*> args;
    for (auto& a : copy) args.push_back(a.data());
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("ChildProcess: fork failed");
    if (pid_ == 0) exec_child(args, output_file);
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && !exit_code_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
}

void ChildProcess::signal(int sig) {
    if (pid_ > 0 && !exit_code_) ::kill(pid_, sig);
}

bool ChildProcess::try_reap() {
    if (exit_code_) return true;
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r != pid_) return false;
    if (WIFEXITED(status))
        exit_code_ = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        exit_code_ = 128 + WTERMSIG(status);
    else
        exit_code_ = -1;
    return true;
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
    wait_until([this] { return try_reap(); }, timeout);
    return exit_code_;
}

bool ChildProcess::running() {
    return !try_reap();
}

}  // namespace treadmill::testing
