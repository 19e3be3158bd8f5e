#include "controller/daemon/watchdog_mark.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

namespace treadmill::daemon {

namespace {

constexpr std::size_t kMaxReasonBytes = 1024;

std::string errno_text(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

// The write itself, on the helper thread: open, write, fsync, close, fsync the directory.
std::string write_and_sync(const std::string& path, const std::string& text) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return errno_text("cannot open " + path);
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::string error = errno_text("cannot write " + path);
            ::close(fd);
            return error;
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        const std::string error = errno_text("cannot fsync " + path);
        ::close(fd);
        return error;
    }
    ::close(fd);
    const std::string dir = std::filesystem::path(path).parent_path().string();
    const int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        ::fsync(dir_fd);
        ::close(dir_fd);
    }
    return {};
}

// What the helper thread and the waiting watchdog share (the helper may outlive the wait).
struct MarkWrite {
    std::mutex mutex;
    std::condition_variable done_cv;
    bool done = false;
    std::string error;
};

}  // namespace

std::string watchdog_mark_path(const std::string& metrics_file) {
    return metrics_file + ".watchdog";
}

std::string write_watchdog_mark(const std::string& path, const std::string& reason,
                                std::chrono::milliseconds limit) noexcept {
    try {
        auto shared = std::make_shared<MarkWrite>();
        std::thread([shared, path, text = reason.substr(0, kMaxReasonBytes) + "\n"] {
            std::string error = write_and_sync(path, text);
            std::lock_guard lock(shared->mutex);
            shared->error = std::move(error);
            shared->done = true;
            shared->done_cv.notify_all();
        }).detach();
        std::unique_lock lock(shared->mutex);
        if (!shared->done_cv.wait_for(lock, limit, [&] { return shared->done; }))
            return "writing " + path + " took longer than " + std::to_string(limit.count()) + " ms";
        return shared->error;
    } catch (const std::exception& e) {
        return std::string("cannot write ") + path + ": " + e.what();
    } catch (...) {
        return "cannot write " + path;
    }
}

std::optional<std::string> read_watchdog_mark(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    std::string line;
    std::getline(in, line);
    return line.substr(0, kMaxReasonBytes);
}

std::string remove_watchdog_mark(const std::string& path) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    return ec ? "cannot remove " + path + ": " + ec.message() : std::string();
}

}  // namespace treadmill::daemon
