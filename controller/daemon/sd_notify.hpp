// systemd's notify protocol without libsystemd: one datagram to $NOTIFY_SOCKET per message.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace treadmill::daemon {

// Sends `state` ("READY=1", "STOPPING=1", "WATCHDOG=1", "STATUS=...") to $NOTIFY_SOCKET.
// A no-op returning false without $NOTIFY_SOCKET; '@' names an abstract socket.
bool sd_notify(std::string_view state);

// The service's watchdog interval from $WATCHDOG_USEC, when it is meant for this process
// ($WATCHDOG_PID absent or equal to getpid()); ping at half of it.
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace treadmill::daemon
