#include "controller/api/api_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/json_text.hpp"

namespace treadmill::api {

namespace {

std::string connect_error(const std::string& path, int error) {
    switch (error) {
        case ENOENT:
        case ECONNREFUSED:
            return "treadmilld is not running (no daemon listening on " + path + ")";
        case EACCES:
        case EPERM:
            return "permission denied on " + path +
                   " (is your user in the socket's group, e.g. 'treadmill'?)";
        default:
            return path + ": " + std::strerror(error);
    }
}

}  // namespace

Result<ApiClient, std::string> ApiClient::connect(const std::string& socket_path) {
    sockaddr_un addr{};
    if (socket_path.size() >= sizeof(addr.sun_path))
        return Unexpected{socket_path + ": path too long"};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, socket_path.data(), socket_path.size());
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return Unexpected{std::string("socket: ") + std::strerror(errno)};
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        const int error = errno;
        ::close(fd);
        return Unexpected{connect_error(socket_path, error)};
    }
    return ApiClient(fd);
}

ApiClient::ApiClient(ApiClient&& other) noexcept
    : fd_(other.fd_), next_id_(other.next_id_), buffer_(std::move(other.buffer_)) {
    other.fd_ = -1;
}

ApiClient::~ApiClient() {
    if (fd_ >= 0) ::close(fd_);
}

bool ApiClient::send_line(const std::string& line) {
    std::size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::send(fd_, line.data() + done, line.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

Result<std::string, std::string> ApiClient::read_line() {
    for (;;) {
        if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
            std::string line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            return line;
        }
        char chunk[8192];
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return Unexpected{std::string("treadmilld closed the connection")};
        buffer_.append(chunk, static_cast<std::size_t>(n));
    }
}

Result<nlohmann::json, std::string> ApiClient::call(nlohmann::json request) {
    request["id"] = next_id_++;
    if (!send_line(json_text(request) + "\n"))
        return Unexpected{std::string("cannot send to treadmilld")};
    auto line = read_line();
    if (!line) return Unexpected{line.error()};
    auto reply = nlohmann::json::parse(*line, nullptr, false);
    if (reply.is_discarded()) return Unexpected{std::string("treadmilld sent invalid JSON")};
    return reply;
}

Result<Done, std::string> ApiClient::watch(
    const std::function<bool(const nlohmann::json&)>& on_status) {
    auto first = call({{"cmd", "watch"}});
    if (!first) return Unexpected{first.error()};
    if (!first->value("ok", false))
        return Unexpected{(*first)["error"].value("message", "refused")};
    if (!on_status((*first)["status"])) return Done{};
    for (;;) {
        auto line = read_line();
        if (!line) return Done{};  // the daemon went away: the stream is over
        const auto update = nlohmann::json::parse(*line, nullptr, false);
        if (update.is_discarded() || !update.contains("status")) continue;
        if (!on_status(update["status"])) return Done{};
    }
}

}  // namespace treadmill::api
