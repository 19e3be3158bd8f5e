#include "controller/daemon/async_log.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <stdexcept>
#include <system_error>

#include "controller/daemon/realtime.hpp"

namespace treadmill::daemon {

namespace {

// The prefix, the line and a newline to stderr, retried on EINTR and short writes.
void write_stderr(const std::string& prefix, std::string_view line) {
    std::string text = prefix;
    text += line;
    text += '\n';
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(STDERR_FILENO, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // stderr is gone: nothing better to do with the line
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace

AsyncLog::PiMutex::PiMutex() {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT);
    pthread_mutex_init(&m_, &attr);
    pthread_mutexattr_destroy(&attr);
}

AsyncLog::PiMutex::~PiMutex() {
    pthread_mutex_destroy(&m_);
}

AsyncLog::AsyncLog(Options options)
    : sink_(options.sink
                ? std::move(options.sink)
                : [prefix = options.prefix](std::string_view line) { write_stderr(prefix, line); }),
      ring_(std::max<std::size_t>(options.capacity, 1)) {
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    thread_ = std::thread([this] { run(); });
}

AsyncLog::~AsyncLog() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake();
    thread_.join();
    ::close(wake_fd_);
}

bool AsyncLog::log(std::string line) {
    {
        std::lock_guard lock(mutex_);
        if (size_ == ring_.size()) {
            ++dropped_;
            return false;
        }
        ring_[(head_ + size_) % ring_.size()] = std::move(line);
        ++size_;
    }
    wake();
    return true;
}

std::uint64_t AsyncLog::dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
}

// An eventfd write never blocks (EFD_NONBLOCK; the counter cannot realistically overflow).
void AsyncLog::wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

bool AsyncLog::take(std::vector<std::string>& out, std::uint64_t& dropped) {
    std::lock_guard lock(mutex_);
    for (; size_ > 0; --size_) {
        out.push_back(std::move(ring_[head_]));
        head_ = (head_ + 1) % ring_.size();
    }
    dropped = dropped_;
    return !(stopping_ && out.empty());
}

void AsyncLog::run() {
    pthread_setname_np(pthread_self(), "log-writer");
    run_at_normal_priority();  // the writer may block; it must never compete with the loop
    std::vector<std::string> lines;
    lines.reserve(ring_.size());
    std::uint64_t reported = 0;
    for (;;) {
        lines.clear();
        std::uint64_t dropped = 0;
        if (!take(lines, dropped)) return;
        for (const auto& line : lines) sink_(line);
        if (dropped > reported) {
            sink_(std::to_string(dropped - reported) +
                  " log lines dropped: the log queue was full");
            reported = dropped;
        }
        if (!lines.empty()) continue;  // look again before sleeping
        pollfd p{wake_fd_, POLLIN, 0};
        if (::poll(&p, 1, -1) > 0) {
            std::uint64_t count = 0;
            [[maybe_unused]] const ssize_t n = ::read(wake_fd_, &count, sizeof count);
        }
    }
}

}  // namespace treadmill::daemon
