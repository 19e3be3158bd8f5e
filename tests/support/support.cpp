// PtyPair, run_command, temp dirs, free ports, file reading.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/test_support.hpp"

namespace treadmill::testing {

std::string state_in(const std::string& dir, const std::string& config) {
    const std::pair<const char*, std::string> lines[] = {
        {"profile", "profile: " + dir + "/profile.yaml\n"},
        {"pairing", "pairing: {file: " + dir + "/pairing.json}\n"},
        {"metrics", "metrics: {file: " + dir + "/metrics.json}\n"},
        {"history", "history: {database: " + dir + "/history.db}\n"}};
    std::string text;
    for (const auto& [key, line] : lines) {
        const std::string at_start = std::string(key) + ":";
        if (config.rfind(at_start, 0) != 0 && config.find("\n" + at_start) == std::string::npos)
            text += line;
    }
    return text;
}

std::string make_temp_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base && *base ? base : "/tmp") + "/treadmill-test-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    return templ;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::uint16_t free_tcp_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("bind failed");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
    const std::string dir = make_temp_dir();
    const std::string out_path = dir + "/output";
    int code = -1;
    {
        ChildProcess child(argv, out_path);
        auto exit_code = child.wait_exit(timeout);
        if (exit_code) code = *exit_code;
    }
    CommandResult result{code, read_file(out_path)};
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return result;
}

namespace {

bool exists(const std::string& path) {
    std::error_code ec;
    return std::filesystem::exists(path, ec);
}

}  // namespace

PtyPair::PtyPair() : dir_(make_temp_dir()), a_(dir_ + "/A"), b_(dir_ + "/B") {
    if (!up()) throw std::runtime_error("PtyPair: socat did not create the links");
}

PtyPair::~PtyPair() {
    down();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

bool PtyPair::up() {
    down();
    socat_.emplace(std::vector<std::string>{"socat", "-d", "-d", "pty,raw,echo=0,link=" + a_,
                                            "pty,raw,echo=0,link=" + b_},
                   dir_ + "/socat-" + std::to_string(generation_++) + ".log");
    return wait_until([this] { return exists(a_) && exists(b_); }, std::chrono::milliseconds(5000));
}

void PtyPair::down(int sig) {
    if (!socat_) return;
    socat_->signal(sig);
    if (!socat_->wait_exit(std::chrono::milliseconds(1000))) socat_->signal(SIGKILL);
    socat_.reset();
    if (sig == SIGTERM &&
        wait_until([this] { return !exists(a_) && !exists(b_); }, std::chrono::milliseconds(2000)))
        return;
    for (const std::string* link : {&a_, &b_}) {
        std::error_code ec;
        std::filesystem::remove(*link, ec);
        std::filesystem::create_symlink(dir_ + "/vanished-pts", *link, ec);
    }
}

}  // namespace treadmill::testing
