// The logind sleep inhibitor: against a fake logind on a private dbus-daemon (the lock taken
// in block mode while wanted, released when not), and with no bus at all (logged once,
// harmless).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "controller/daemon/sleep_inhibitor.hpp"
#include "tests/support/test_support.hpp"

using namespace std::chrono_literals;
namespace d = treadmill::daemon;
namespace t = treadmill::testing;

namespace {

// Lines logged by the inhibitor, from its thread.
struct LogLines {
    std::mutex mutex;
    std::vector<std::string> lines;
    std::function<void(std::string)> sink() {
        return [this](std::string line) {
            std::lock_guard lock(mutex);
            lines.push_back(std::move(line));
        };
    }
    std::vector<std::string> get() {
        std::lock_guard lock(mutex);
        return lines;
    }
};

// org.freedesktop.login1.Manager.Inhibit on a bus of its own: records each call and answers
// with the write end of a pipe; the read end shows whether any copy of the lock is still open.
class FakeLogind {
  public:
    struct Call {
        std::string what, who, why, mode;
        int lock_read_end = -1;
    };

    explicit FakeLogind(const std::string& address) {
        REQUIRE(sd_bus_new(&bus_) >= 0);
        REQUIRE(sd_bus_set_address(bus_, address.c_str()) >= 0);
        REQUIRE(sd_bus_set_bus_client(bus_, 1) >= 0);
        REQUIRE(sd_bus_start(bus_) >= 0);
        REQUIRE(sd_bus_add_object_vtable(bus_, nullptr, "/org/freedesktop/login1",
                                         "org.freedesktop.login1.Manager", kVtable, this) >= 0);
        REQUIRE(sd_bus_request_name(bus_, "org.freedesktop.login1", 0) >= 0);
        thread_ = std::thread([this] { serve(); });
    }
    ~FakeLogind() {
        stop_ = true;
        thread_.join();
        for (const auto& c : calls_) ::close(c.lock_read_end);
        sd_bus_flush_close_unref(bus_);
    }
    std::vector<Call> calls() {
        std::lock_guard lock(mutex_);
        return calls_;
    }
    // Some holder still has the lock's descriptor open.
    static bool lock_open(const Call& c) {
        pollfd p{c.lock_read_end, POLLIN, 0};
        return ::poll(&p, 1, 0) == 0;  // no POLLHUP yet
    }

  private:
    static int on_inhibit(sd_bus_message* m, void* self, sd_bus_error*) {
        const char *what = nullptr, *who = nullptr, *why = nullptr, *mode = nullptr;
        const int r = sd_bus_message_read(m, "ssss", &what, &who, &why, &mode);
        if (r < 0) return r;
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) return -errno;
        {
            auto* fake = static_cast<FakeLogind*>(self);
            std::lock_guard lock(fake->mutex_);
            fake->calls_.push_back({what, who, why, mode, fds[0]});
        }
        const int sent = sd_bus_reply_method_return(m, "h", fds[1]);  // sd-bus sends a copy
        ::close(fds[1]);
        return sent;
    }
    void serve() {
        while (!stop_) {
            const int r = sd_bus_process(bus_, nullptr);
            if (r == 0) sd_bus_wait(bus_, 20'000);
            if (r < 0) break;
        }
    }

    static constexpr sd_bus_vtable kVtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Inhibit", "ssss", "h", on_inhibit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END};

    sd_bus* bus_ = nullptr;
    std::mutex mutex_;
    std::vector<Call> calls_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

// A private message bus: dbus-daemon with the session policy, on a socket in a temp dir. It
// prints its address once it listens.
struct PrivateBus {
    std::string dir = t::make_temp_dir();
    std::string address = "unix:path=" + dir + "/bus";
    t::ChildProcess daemon{{"dbus-daemon", "--session", "--nofork", "--nopidfile",
                            "--print-address", "--address=" + address},
                           dir + "/dbus.log"};
    PrivateBus() {
        const auto printed = [&] {
            return t::read_file(dir + "/dbus.log").find("unix:path=") != std::string::npos;
        };
        REQUIRE_MESSAGE(t::wait_until(printed, 5000ms), t::read_file(dir + "/dbus.log"));
    }
};

}  // namespace

TEST_CASE("the inhibitor holds logind's sleep lock in block mode exactly while wanted") {
    PrivateBus bus;
    FakeLogind logind(bus.address);
    LogLines log;
    d::SleepInhibitor inhibitor({bus.address, log.sink()});
    CHECK_FALSE(inhibitor.held());

    inhibitor.want(true);  // a session started
    REQUIRE(t::wait_until([&] { return inhibitor.held(); }, 5000ms));
    auto calls = logind.calls();
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].what == "sleep");
    CHECK(calls[0].mode == "block");
    CHECK(calls[0].who == "treadmilld");
    CHECK(FakeLogind::lock_open(calls[0]));
    inhibitor.want(true);  // every cycle says so again: one lock only
    std::this_thread::sleep_for(50ms);
    CHECK(logind.calls().size() == 1);

    inhibitor.want(false);  // the session ended: the lock's descriptor is closed
    CHECK(t::wait_until([&] { return !FakeLogind::lock_open(calls[0]); }, 5000ms));
    CHECK_FALSE(inhibitor.held());

    inhibitor.want(true);  // the next session takes it again
    REQUIRE(t::wait_until([&] { return logind.calls().size() == 2; }, 5000ms));
    calls = logind.calls();
    REQUIRE(t::wait_until([&] { return inhibitor.held(); }, 5000ms));
    CHECK(FakeLogind::lock_open(calls[1]));
    CHECK(inhibitor.failures() == 0);
    CHECK(log.get().size() == 1);  // "suspend is blocked ...", once
}

TEST_CASE("the inhibitor gives the lock back when it is destroyed while holding it") {
    PrivateBus bus;
    FakeLogind logind(bus.address);
    FakeLogind::Call call;
    {
        d::SleepInhibitor inhibitor({bus.address, nullptr});
        inhibitor.want(true);
        REQUIRE(t::wait_until([&] { return inhibitor.held(); }, 5000ms));
        call = logind.calls().at(0);
        CHECK(FakeLogind::lock_open(call));
    }
    CHECK_FALSE(FakeLogind::lock_open(call));
}

TEST_CASE("no bus: the failure is logged once, nothing is held, want() never blocks") {
    const std::string dir = t::make_temp_dir();
    LogLines log;
    d::SleepInhibitor inhibitor({"unix:path=" + dir + "/no-such-bus", log.sink()});
    for (int session = 1; session <= 3; ++session) {
        inhibitor.want(true);
        REQUIRE(
            t::wait_until([&] { return inhibitor.failures() == std::uint64_t(session); }, 5000ms));
        inhibitor.want(false);
    }
    CHECK_FALSE(inhibitor.held());
    const auto lines = log.get();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("cannot block suspend") != std::string::npos);
    CHECK(lines[0].find("no D-Bus system bus") != std::string::npos);
}

TEST_CASE("a bus without logind: the refusal is logged once") {
    PrivateBus bus;
    LogLines log;
    d::SleepInhibitor inhibitor({bus.address, log.sink()});
    inhibitor.want(true);
    REQUIRE(t::wait_until([&] { return inhibitor.failures() == 1; }, 5000ms));
    CHECK_FALSE(inhibitor.held());
    const auto lines = log.get();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("logind refused") != std::string::npos);
}
