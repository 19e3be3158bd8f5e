#include "controller/api/pairing_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/atomic_file.hpp"

namespace treadmill::api {

namespace {

constexpr std::size_t kMaxFileBytes = 1024 * 1024;

std::string errno_text(const std::string& what, const std::string& path) {
    return what + " " + path + ": " + std::strerror(errno);
}

// Moves a bad file aside and says so.
void move_aside(const std::string& path, const std::string& why, PairingFileLoad& load) {
    std::string line = "pairing file " + path + " is unusable (" + why + ")";
    const auto aside = move_file_aside(path);
    line += aside ? "; moved to " + *aside : "; could not move it aside: " + aside.error();
    load.log.push_back(line + "; starting with no paired devices");
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
    return write_file_atomically(path, text, 0600);
}

}  // namespace treadmill::api
