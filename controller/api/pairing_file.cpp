#include "controller/api/pairing_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace treadmill::api {

namespace {

constexpr std::size_t kMaxFileBytes = 1024 * 1024;

std::string errno_text(const std::string& what, const std::string& path) {
    return what + " " + path + ": " + std::strerror(errno);
}

// Moves a bad file aside and says so.
void move_aside(const std::string& path, const std::string& why, PairingFileLoad& load) {
    const std::string aside = path + ".corrupt";
    std::string line = "pairing file " + path + " is unusable (" + why + ")";
    if (std::rename(path.c_str(), aside.c_str()) == 0)
        line += "; moved to " + aside;
    else
        line += "; could not move it aside: " + std::string(std::strerror(errno));
    load.log.push_back(line + "; starting with no paired devices");
}

// Writes all of `text` to `fd`.
bool write_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// fsync of the directory holding `path`, so the rename survives a power cut.
void sync_directory(const std::string& path) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    if (dir.empty()) dir = ".";
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    (void)::fsync(fd);
    ::close(fd);
}

}  // namespace

PairingFileLoad load_pairing_file(const std::string& path) {
    PairingFileLoad load;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno != ENOENT) load.log.push_back(errno_text("cannot read the pairing file", path));
        return load;
    }
    if (!S_ISREG(st.st_mode) || static_cast<std::size_t>(st.st_size) > kMaxFileBytes) {
        move_aside(path, "not a regular file of at most 1 MiB", load);
        return load;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        load.log.push_back(errno_text("cannot read the pairing file", path));
        return load;
    }
    std::ostringstream text;
    text << in.rdbuf();
    const auto file = nlohmann::json::parse(text.str(), nullptr, false);
    if (file.is_discarded()) {
        move_aside(path, "not valid JSON", load);
        return load;
    }
    auto devices = PairingStore::parse(file);
    if (!devices) {
        move_aside(path, devices.error(), load);
        return load;
    }
    load.devices = std::move(*devices);
    if ((st.st_mode & 0777) != 0600) {
        if (::chmod(path.c_str(), 0600) == 0)
            load.log.push_back("pairing file " + path + " was readable by others; now mode 0600");
        else
            load.log.push_back(errno_text("cannot make mode 0600:", path));
    }
    return load;
}

Result<Done, std::string> write_pairing_file(const std::string& path, const std::string& text) {
    const std::string temp = path + ".tmp";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return Unexpected{errno_text("cannot create", temp)};
    // An old temp file left with another mode keeps it through O_CREAT: set it.
    const bool written = ::fchmod(fd, 0600) == 0 && write_all(fd, text) && ::fsync(fd) == 0;
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

}  // namespace treadmill::api
