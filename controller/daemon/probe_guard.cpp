// The probe's refusal while a daemon holds the bus: its control socket answers, or another
// treadmilld has the RTU device open (found through /proc/*/fd).
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "controller/daemon/probe.hpp"

namespace treadmill::daemon {

namespace {

namespace fs = std::filesystem;

// True when something accepts a connection on the Unix socket at `path`, or when the socket
// exists but may not be connected to (EACCES): a daemon may be behind it, so the probe stays
// off the bus.
bool socket_answers(const std::string& path) {
    sockaddr_un addr{};
    if (path.empty() || path.size() >= sizeof(addr.sun_path)) return false;
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    const bool denied = !connected && (errno == EACCES || errno == EPERM);
    ::close(fd);
    return connected || denied;
}

std::string read_comm(const fs::path& proc) {
    std::ifstream in(proc / "comm");
    std::string comm;
    std::getline(in, comm);
    return comm;
}

}  // namespace

std::vector<DeviceHolder> device_holders(const std::string& device) {
    std::vector<DeviceHolder> holders;
    std::error_code ec;
    const fs::path target = fs::canonical(device, ec);
    if (ec) return holders;
    const std::string self = std::to_string(::getpid());
    for (const auto& proc : fs::directory_iterator("/proc", ec)) {
        const std::string pid = proc.path().filename();
        if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
        if (pid == self) continue;
        std::error_code fd_ec;
        for (const auto& fd : fs::directory_iterator(proc.path() / "fd", fd_ec)) {
            std::error_code link_ec;
            if (fs::read_symlink(fd.path(), link_ec) != target) continue;
            holders.push_back({pid, read_comm(proc.path())});
            break;
        }
    }
    return holders;
}

std::optional<std::string> bus_holder(const Config& config) {
    if (socket_answers(config.api.socket))
        return "a daemon answers on " + config.api.socket +
               " (or may not be asked: permission denied); systemctl stop treadmilld first";
    std::vector<const BusConfig*> buses{&config.motor_bus(), &config.incline_bus()};
    for (const BusConfig* bus : buses) {
        if (bus->transport != BusConfig::Transport::rtu) continue;
        for (const auto& holder : device_holders(bus->device))
            if (holder.comm == "treadmilld")
                return "treadmilld (pid " + holder.pid + ") has " + bus->device + " open";
    }
    return std::nullopt;
}

}  // namespace treadmill::daemon
