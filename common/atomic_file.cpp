#include "common/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace treadmill {

namespace {

std::string errno_text(const std::string& what, const std::string& path) {
    return what + " " + path + ": " + std::strerror(errno);
}

// Writes all of `text` to `fd`.
bool write_all(int fd, std::string_view text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

std::string directory_of(const std::string& path) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    return dir.empty() ? "." : dir;
}

// fsync of the directory holding `path`, so the rename survives a power cut.
void sync_directory(const std::string& path) {
    const int fd = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    (void)::fsync(fd);
    ::close(fd);
}

}  // namespace

Result<Done, std::string> write_file_atomically(const std::string& path, std::string_view text,
                                                mode_t mode) {
    // A unique hidden name beside the target: same file system (rename is atomic), and two
    // writers never share a temp file.
    const std::string name = std::filesystem::path(path).filename().string();
    std::string temp = directory_of(path) + "/." + name + ".XXXXXX";
    const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
    if (fd < 0) return Unexpected{errno_text("cannot create a file in", directory_of(path))};
    const bool written = ::fchmod(fd, mode) == 0 && write_all(fd, text) && ::fsync(fd) == 0;
    const std::string error = written ? "" : errno_text("cannot write", temp);
    ::close(fd);
    if (!written) {
        ::unlink(temp.c_str());
        return Unexpected{error};
    }
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
        const std::string why = errno_text("cannot rename " + temp + " to", path);
        ::unlink(temp.c_str());
        return Unexpected{why};
    }
    sync_directory(path);
    return Done{};
}

Result<std::string, std::string> move_file_aside(const std::string& path) {
    const std::string aside = path + ".corrupt";
    if (std::rename(path.c_str(), aside.c_str()) != 0)
        return Unexpected{std::string(std::strerror(errno))};
    return aside;
}

}  // namespace treadmill
