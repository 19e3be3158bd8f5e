#include "controller/daemon/sleep_inhibitor.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "controller/daemon/realtime.hpp"

namespace treadmill::daemon {

namespace {

struct BusUnref {
    void operator()(sd_bus* b) const { sd_bus_flush_close_unref(b); }
};
struct MessageUnref {
    void operator()(sd_bus_message* m) const { sd_bus_message_unref(m); }
};
using Bus = std::unique_ptr<sd_bus, BusUnref>;
using Message = std::unique_ptr<sd_bus_message, MessageUnref>;

std::string error_text(int negative_errno) {
    return std::strerror(-negative_errno);
}

// The system bus as sd_bus_open_system() finds it.
std::string system_bus_address() {
    const char* env = std::getenv("DBUS_SYSTEM_BUS_ADDRESS");
    return env && *env ? env : "unix:path=/run/dbus/system_bus_socket";
}

// A client connection to `address`; its calls (the Hello too) give up after `timeout`. Empty,
// with the reason in `why`, when it cannot connect.
Bus connect(const std::string& address, std::chrono::milliseconds timeout, std::string& why) {
    sd_bus* raw = nullptr;
    int r = sd_bus_new(&raw);
    Bus bus(raw);
    if (r >= 0) r = sd_bus_set_address(raw, address.c_str());
    if (r >= 0) r = sd_bus_set_bus_client(raw, 1);
    if (r >= 0)
        r = sd_bus_set_method_call_timeout(raw, static_cast<std::uint64_t>(timeout.count()) * 1000);
    if (r >= 0) r = sd_bus_start(raw);
    if (r < 0) {
        why = "no D-Bus system bus at " + address + ": " + error_text(r);
        return nullptr;
    }
    return bus;
}

}  // namespace

SleepInhibitor::SleepInhibitor(Options options) : options_(std::move(options)) {
    thread_ = std::thread([this] { run(); });
}

SleepInhibitor::~SleepInhibitor() {
    request(quit);
    thread_.join();
}

void SleepInhibitor::want(bool active) {
    if (active == last_want_) return;
    last_want_ = active;
    request(active ? hold : release);
}

void SleepInhibitor::request(Want w) {
    request_.store((++requests_ << 2) | w);
    request_.notify_one();
}

void SleepInhibitor::run() {
    pthread_setname_np(pthread_self(), "sleep-inhibit");
    run_at_normal_priority();  // D-Bus calls block; they must not compete with the loop
    for (;;) {
        const std::uint32_t seen = request_.load();
        const auto wanted = static_cast<Want>(seen & 3);
        if (wanted == quit) break;
        if (wanted == hold && fd_ < 0) take();
        if (wanted == release && fd_ >= 0) give_back();
        request_.wait(seen);
    }
    if (fd_ >= 0) give_back();
}

// org.freedesktop.login1.Manager.Inhibit("sleep", who, why, "block") -> the lock's descriptor.
void SleepInhibitor::take() {
    std::string why;
    Bus bus =
        connect(options_.bus_address.value_or(system_bus_address()), options_.call_timeout, why);
    if (!bus) return failed(why);
    sd_bus_error error{};  // SD_BUS_ERROR_NULL, without its C99 compound literal
    sd_bus_message* raw = nullptr;
    const int r = sd_bus_call_method(
        bus.get(), "org.freedesktop.login1", "/org/freedesktop/login1",
        "org.freedesktop.login1.Manager", "Inhibit", &error, &raw, "ssss", "sleep", "treadmilld",
        "A treadmill session is active: the belt must stop first", "block");
    Message reply(raw);
    if (r < 0) {
        why = "logind refused: " + std::string(error.message ? error.message : error_text(r));
        sd_bus_error_free(&error);
        return failed(why);
    }
    int fd = -1;
    const int rr = sd_bus_message_read(reply.get(), "h", &fd);
    if (rr < 0) return failed("bad reply from logind: " + error_text(rr));
    fd_ = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);  // the reply owns its descriptor
    if (fd_ < 0) return failed("cannot keep the lock's descriptor: " + error_text(-errno));
    if (!success_logged_ && options_.log)
        options_.log("suspend is blocked while a session is active (logind inhibitor)");
    success_logged_ = true;
    held_.store(true);
}

void SleepInhibitor::give_back() {
    ::close(fd_);
    fd_ = -1;
    held_.store(false);
}

// Once: the daemon runs on without the lock (the next session tries again, silently).
void SleepInhibitor::failed(const std::string& why) {
    if (!failure_logged_ && options_.log)
        options_.log("cannot block suspend during sessions (" + why +
                     "); going on without it: a suspend still stops the belt (loop_stall)");
    failure_logged_ = true;
    failures_.fetch_add(1);  // after the log line: a test that sees the count sees the line
}

}  // namespace treadmill::daemon
